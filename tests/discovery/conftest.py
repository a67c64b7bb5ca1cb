"""herald-system as the device runs it (discovery is one of its services), on a
private Redis and database, listening on this host's interface towards the
multicast group: multicast goes out there and loops back to the test's
clients. With no such route (no multicast interface) the tests fail and say so."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from herald.access import Level
from herald.bus import Bus
from herald.discovery import contract, ssdp
from herald.discovery.multicast import address_towards, group_socket
from herald.params import ParamStore, default_tree
from tests.conftest import wait_until
from tests.daemon import daemon_env, start_daemon

SERIAL = "00408C1814A0"


def interface_address() -> str:
    try:
        return address_towards(ssdp.GROUP)
    except OSError:
        pytest.fail("no route for multicast on this host, so no interface to discover on: "
                    "give an interface a route to 224.0.0.0/4")


@dataclass
class Device:
    address: str  # the interface it answers on
    data: Path
    avahi: Path  # its avahi services folder
    params: ParamStore
    bus: Bus
    process: subprocess.Popen
    log: Path

    def status(self) -> dict | None:
        return self.bus.state().get(contract.STATUS)

    def switch(self, name: str, value: str, **expected: bool) -> None:
        """Change a setting and wait until discovery says it follows it."""
        self.params.update({name: value}, Level.ADMIN)
        wait_until(lambda: all(getattr(contract.DiscoveryStatus.from_dict(self.status()), k) == v
                               for k, v in expected.items()),
                   what=f"discovery to follow {name}={value}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def start_device(directory: Path, redis_url: str, address: str) -> Device:
    """herald-system in `directory`, discovering on the interface of `address`,
    once its discovery has published its status."""
    data = directory / "data"
    (data / "identity").mkdir(parents=True)
    (data / "identity" / "serial").write_text(SERIAL + "\n")
    bus = Bus(redis_url, source="test")
    params = ParamStore(data / "db.sqlite3", default_tree(), bus)
    avahi = directory / "avahi-services"
    log = directory / "herald-system.log"
    process = start_daemon("herald.system", daemon_env(
        data, redis_url, HERALD_DISCOVERY_INTERFACE=address, HERALD_AVAHI_SERVICES=str(avahi)),
        log)
    device = Device(address, data, avahi, params, bus, process, log)

    def started() -> dict | None:
        if process.poll() is not None:
            pytest.fail(f"herald-system exited: {log.read_text()}")
        return device.status()
    try:
        wait_until(started, what="discovery to publish its status")
    except BaseException:
        device.stop()
        raise
    return device


@pytest.fixture
def device(tmp_path: Path, own_redis_url: str) -> Iterator[Device]:
    device = start_device(tmp_path, own_redis_url, interface_address())
    yield device
    device.stop()


@pytest.fixture
def asker(device: Device) -> Iterator[socket.socket]:
    """A UDP socket that asks the group from the device's interface."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(device.address))
    sock.bind((device.address, 0))
    sock.settimeout(5)
    yield sock
    sock.close()


def listener(group: str, port: int, address: str) -> socket.socket:
    """A socket in the group, as another device on the network hears it."""
    sock = group_socket(group, port, address)
    sock.setblocking(True)
    sock.settimeout(5)
    return sock


BUS_POLICY = """<busconfig><type>system</type><listen>unix:path={socket}</listen>
<auth>EXTERNAL</auth><policy context="default"><allow user="*"/><allow own="*"/>
<allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>"""
AVAHI_CONFIG = """[server]\nuse-ipv6=no\nallow-interfaces={interface}\nenable-dbus=yes
[publish]\npublish-workstation=no\n"""


def interface_named(address: str) -> str:
    shown = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True,
                           text=True, check=True).stdout
    for line in shown.splitlines():
        if f" {address}/" in line:
            return line.split()[1]
    pytest.fail(f"no interface has {address}, the address towards the multicast group")


@pytest.fixture
def avahi_browse(device: Device, tmp_path: Path) -> Iterator[dict[str, str]]:
    """avahi-daemon reading the device's services folder, on a private system
    D-Bus, in a mount namespace of its own (its services folder and pid folder
    bound there, the host's untouched); yields the environment avahi-browse
    needs to ask it. Root only (mount namespace), with avahi installed."""
    if os.geteuid() != 0 or not shutil.which("avahi-daemon") or not shutil.which("avahi-browse"):
        pytest.fail("avahi-daemon and avahi-browse are needed, run as root: scripts/setup "
                    "installs them (avahi-daemon, avahi-utils)")
    work = tmp_path / "avahi"
    (work / "run").mkdir(parents=True)
    device.avahi.mkdir(parents=True, exist_ok=True)
    (work / "bus.conf").write_text(BUS_POLICY.format(socket=work / "bus"))
    (work / "avahi.conf").write_text(AVAHI_CONFIG.format(
        interface=interface_named(device.address)))
    env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={work / 'bus'}"}
    bus = subprocess.Popen(["dbus-daemon", "--nofork", "--config-file", str(work / "bus.conf")])
    wait_until(lambda: (work / "bus").exists(), what="the private D-Bus")
    script = (f"mount --bind {device.avahi} /etc/avahi/services && mkdir -p /run/avahi-daemon "
              f"&& mount --bind {work / 'run'} /run/avahi-daemon && exec avahi-daemon "
              f"--no-drop-root --no-chroot --no-rlimits -f {work / 'avahi.conf'}")
    with open(work / "avahi.log", "wb") as log:
        daemon = subprocess.Popen(["unshare", "-m", "sh", "-c", script], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: daemon.poll() is not None
                   or b"Server startup complete" in (work / "avahi.log").read_bytes(),
                   what="avahi-daemon to start")
        if daemon.poll() is not None:
            pytest.fail(f"avahi-daemon exited: {(work / 'avahi.log').read_text()}")
        yield env
    finally:
        for process in (daemon, bus):
            process.terminate()
            process.wait(timeout=10)
