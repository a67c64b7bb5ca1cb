"""Power cuts during firmware upgrades: the device always comes back.

QEMU is killed (the power fails) at a random moment of an install: while the
bundle is checked, the configuration copied, RAUC writes the other slot,
switches the boot order, or the device shuts down to restart into the new
firmware (a cut may also fall into the boot after a restart that came early).
Every next power-on must boot a slot whose firmware works (the web admin
answers and reports its database, Redis and worker healthy), with every
setting and account as before. Each cut costs one boot: that boot checks the
slot and the settings and starts the next upgrade.

`pytest --power-cuts N` sets how many cuts (default 20); the run prints how
many the device survived.
"""

from __future__ import annotations

import random
import tarfile
import time

import pytest

from qemu.vm import GuestError
from tests.conftest import wait_until
from tests.update.device import Device, base_bundle

pytestmark = [pytest.mark.system, pytest.mark.slow]

STAGED = "/data/power-cut/bundle.raucb"
# Waits until no upgrade is pending (the boot gate settles one left by a cut),
# then upgrades and restarts as the Maintenance page does.
UPGRADE = (f"until [ ! -e /data/herald/update/pending.json ]; do sleep 0.5; done; "
           f"touch /run/power-cut-started; "
           f"/usr/lib/herald/venv/bin/herald-update install {STAGED} && systemctl reboot")


def stage_bundle(device: Device) -> None:
    device.machine.run(f"mkdir -p /data/power-cut && tar -xOf /dev/disk/by-id/virtio-bundle "
                       f"> {STAGED} && chmod 600 {STAGED}", timeout=600, check=True)


def start_upgrade(device: Device) -> float:
    """Start an upgrade in the guest; returns when it began (host monotonic time)."""
    device.machine.run("rm -f /run/power-cut-started; systemd-run --unit=power-cut-upgrade "
                       "-p EnvironmentFile=/etc/default/herald -p StandardOutput=journal "
                       f"sh -c '{UPGRADE}'", check=True)
    wait_until(lambda: device.machine.run("test -e /run/power-cut-started").returncode == 0,
               timeout=600, interval=0.5, what="the upgrade to start")
    return time.monotonic()


def upgrade_restarts(device: Device, timeout: float = 1800) -> None:
    """Wait until the upgrade restarts the device; fail at once if it fails."""
    def restarted() -> bool:
        try:
            failed = device.machine.run("systemctl is-failed --quiet power-cut-upgrade")
        except GuestError:  # the guest is going down
            failed = None
        if device.machine.process.poll() is not None:
            return True
        if failed is not None and failed.returncode == 0:
            log = device.machine.run("journalctl -u power-cut-upgrade --no-pager | tail -20")
            pytest.fail(f"the upgrade failed:\n{log.output}")
        return False
    wait_until(restarted, timeout=timeout, interval=2, what="the upgrade to restart the device")


def cut_power(device: Device, started: float, after: float) -> str:
    """Kill QEMU `after` seconds into the upgrade; a restart the upgrade made itself
    is followed by the next power-on, and the cut may then fall into that boot."""
    machine = device.machine
    deadline = started + after
    while time.monotonic() < deadline:
        if machine.process.poll() is not None:  # the upgrade restarted the device
            machine.boot()
        time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
    phase = "upgrading" if machine.process.poll() is None else "restarting"
    machine.process.kill()  # the power fails: no shutdown, nothing flushed
    machine.process.wait()
    return phase


def test_power_cuts_during_upgrades_always_leave_a_working_device(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    cuts = request.config.getoption("--power-cuts")
    work = tmp_path_factory.mktemp("power-cut")
    disk = work / "bundle.tar"
    with tarfile.open(disk, "w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(base_bundle(), arcname="bundle.raucb")
    device = Device.create(work / "vm", drives={"bundle": disk})
    try:
        device.start()
        if not device.has_update_client():
            pytest.skip("the test image does not run herald-update gate and prepare yet "
                        "(/work/coord/image-requests.md)")
        device.set_root_password()
        device.set_params(**{"SIP.Port": "5070", "Network.HostName": "power-cut"})
        device.wait_committed("A")
        stage_bundle(device)
        settings = device.settings_fingerprint()

        # One whole upgrade first: how long it takes to install and to restart.
        started = start_upgrade(device)
        upgrade_restarts(device)
        installing = time.monotonic() - started
        device.start()
        device.wait_committed("B")
        whole = time.monotonic() - started
        print(f"\nuncut upgrade: {installing:.0f} s to install, {whole:.0f} s until kept",
              flush=True)

        seed = time.time_ns()
        print(f"cut points from random seed {seed}")
        rng = random.Random(seed)
        survived = []
        for number in range(1, cuts + 1):
            started = start_upgrade(device)
            after = rng.uniform(0, installing)
            phase = cut_power(device, started, after)
            device.start()  # the next power-on, up to answering on HTTP
            slot = device.machine.run("sed -n 's/.*rauc\\.slot=\\([AB]\\).*/\\1/p' /proc/cmdline",
                                      check=True).output.strip()
            slots = device.slots()
            assert slots[slot]["state"] == "booted"
            assert device.settings_fingerprint() == settings, f"cut {number}: settings changed"
            survived.append((number, round(after, 1), phase, slot))
            print(f"cut {number}: {after:5.1f} s into the upgrade ({phase}); "
                  f"came back on slot {slot} with its settings", flush=True)
        # The last power-on decides like every other: a slot is kept, the firmware works.
        status = device.wait_committed(slot)
        assert status["isCommited"]
        print(f"survived {len(survived)} of {cuts} power cuts")
        assert len(survived) == cuts
    finally:
        device.stop()

