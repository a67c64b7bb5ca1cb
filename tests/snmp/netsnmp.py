"""Debian's net-snmp tools, as a site's manager runs them against the agent:
snmpget/snmpwalk/snmpset and an snmptrapd receiver (not pysnmp's own client)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import wait_until

V3_PASSWORD = "speaker-v3-pass"
OUTPUT = ["-On", "-Oe", "-Ot"]  # numeric OIDs, enums and ticks: what the tests compare
# The objects the tests read, by number (no MIB files are loaded).
SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_CONTACT, SYS_NAME, SYS_LOCATION = (
    f".1.3.6.1.2.1.1.{n}.0" for n in range(1, 7))
HR_UPTIME = ".1.3.6.1.2.1.25.1.1.0"
FIRMWARE_VERSION = ".1.3.6.1.4.1.32473.1.1.1.1.0"
TRAP_OID = ".1.3.6.1.6.3.1.1.4.1.0"
COLD_START, WARM_START, AUTH_FAILURE = (f".1.3.6.1.6.3.1.1.5.{n}" for n in (1, 2, 5))


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tool(name: str) -> str:
    return shutil.which(name) or shutil.which(f"/usr/sbin/{name}") or pytest.fail(
        f"{name} missing: run scripts/setup (Debian packages snmp, snmptrapd)")


def credentials(version: str, community: str = "public", password: str = V3_PASSWORD,
                ) -> list[str]:
    if version == "3":
        return ["-v3", "-l", "authPriv", "-u", "initial", "-a", "SHA-256", "-A", password,
                "-x", "AES", "-X", password]
    return [f"-v{version}", "-c", community]


def run(command: str, port: int, version: str, *args: str, community: str = "public",
        password: str = V3_PASSWORD, timeout: float = 2, retries: int = 1,
        ) -> subprocess.CompletedProcess:
    """One net-snmp command against the agent on localhost:`port`."""
    return subprocess.run(
        [tool(command), *credentials(version, community, password), *OUTPUT,
         "-t", str(timeout), "-r", str(retries), f"udp:127.0.0.1:{port}", *args],
        capture_output=True, text=True, timeout=60, env=_quiet_env())


def values(port: int, version: str, *oids: str, **options: str) -> dict[str, str]:
    """snmpget: {numeric OID: value as net-snmp prints it}; fails on any error."""
    done = run("snmpget", port, version, "-Oq", *oids, **options)
    assert done.returncode == 0 and "No Such" not in done.stdout, done.stdout + done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


def _quiet_env() -> dict[str, str]:
    """No MIBs to load (the IETF ones are not in Debian main): numeric only."""
    return {**os.environ, "MIBS": "", "MIBDIRS": ""}


class TrapReceiver:
    """snmptrapd on a free port, logging every notification to a file."""

    def __init__(self, directory: Path, engine_id: str = "") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_udp_port()
        self.log = directory / "traps.log"
        config = directory / "snmptrapd.conf"
        lines = ["disableAuthorization yes"]
        if engine_id:
            lines.append(f"createUser -e 0x{engine_id} initial SHA-256 {V3_PASSWORD} "
                         f"AES {V3_PASSWORD}")
        config.write_text("\n".join(lines) + "\n")
        self.process = subprocess.Popen(
            [tool("snmptrapd"), "-f", "-C", "-c", str(config), "-Lf", str(self.log), "-On",
             "-n", f"udp:127.0.0.1:{self.port}"],
            env={**_quiet_env(), "SNMP_PERSISTENT_DIR": str(directory / "persist")},
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(lambda: self.log.exists() and "NET-SNMP version" in self.log.read_text(),
                   timeout=20, what="snmptrapd to start")

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, *parts: str, count: int = 1) -> list[str]:
        """The notifications (one entry each) that hold all `parts`, once
        there are `count` of them."""
        def found() -> list[str]:
            entries = self.text().split("\n20")  # each entry starts with its date
            matching = [e for e in entries if all(p in e for p in parts)]
            return matching if len(matching) >= count else []
        return wait_until(found, timeout=20, what=f"a notification with {parts}")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def dotted(oid: tuple[int, ...]) -> str:
    """An OID as net-snmp's tools print it numerically (".1.3.6...")."""
    return "." + ".".join(map(str, oid))
