"""Who this device is: serial number, MAC address, host name, firmware version.

On the device, the image's herald-identity service writes the serial number
(the MAC address of the first Ethernet port, as on Axis devices) to
/data/identity/serial at boot, and /etc/os-release names the firmware and
its build date (when the build's sources are from, SOURCE_DATE_EPOCH). On a
development host the serial is made the same way on first use, the firmware
version is the source tree's, and its build date is when the newest source
file of the `herald` package was changed: what runs is as new as that.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import herald
from herald.environment import current

SERIAL = re.compile(r"[0-9A-F]{12}")
OS_RELEASE = Path("/etc/os-release")
DEVELOPMENT_VERSION = "0.1.0-dev"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Identity:
    serial: str

    @property
    def mac(self) -> str:
        return ":".join(self.serial[i:i + 2] for i in range(0, 12, 2)).lower()

    @property
    def hostname(self) -> str:
        return "herald-" + self.serial[-6:].lower()


@dataclass(frozen=True)
class Firmware:
    version: str
    build_date: str
    build_number: str
    compatible: str = ""  # RAUC's compatible string: which bundles fit this device
    min_version: str = ""  # the oldest version this firmware lets replace it ("" = any)


def load(identity_dir: Path) -> Identity:
    """Read the serial number, creating it on a development host's first run."""
    path = identity_dir / "serial"
    try:
        serial = path.read_text().strip().upper()
    except FileNotFoundError:
        serial = _make_serial()
        identity_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".new")
        tmp.write_text(serial + "\n")
        try:
            os.link(tmp, path)  # the first process to get here wins
        except FileExistsError:
            serial = path.read_text().strip().upper()
        finally:
            tmp.unlink()
    if not SERIAL.fullmatch(serial):
        raise ValueError(f"{path}: not a serial number (12 hex digits): {serial!r}")
    return Identity(serial)


def _make_serial() -> str:
    """The MAC of the first Ethernet port, like herald-identity; random if none."""
    net = Path("/sys/class/net")
    for iface in sorted(net.iterdir()) if net.is_dir() else []:
        try:
            is_ethernet = (iface / "type").read_text().strip() == "1"
            address = (iface / "address").read_text().strip()
        except OSError:
            continue
        serial = address.replace(":", "").upper()
        if is_ethernet and (iface / "device").exists() and SERIAL.fullmatch(serial):
            return serial
    # A locally administered unicast address: never one a vendor assigned.
    first = (secrets.randbits(8) & 0xFC) | 0x02
    return f"{first:02X}{secrets.token_hex(5).upper()}"


def read_firmware(os_release: Path = OS_RELEASE) -> Firmware:
    """The running firmware, from os-release on a Herald image."""
    fields: dict[str, str] = {}
    try:
        for line in os_release.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key.strip()] = value.strip().strip('"')
    except FileNotFoundError:
        pass
    if fields.get("ID") != "herald":
        return Firmware(DEVELOPMENT_VERSION, _sources_date(), "")
    return Firmware(fields.get("VERSION_ID", DEVELOPMENT_VERSION),
                    fields.get("HERALD_BUILD_DATE", ""), fields.get("BUILD_ID", ""),
                    fields.get("HERALD_COMPATIBLE", ""), fields.get("HERALD_MIN_VERSION", ""))


def build_date(epoch: float) -> str:
    """A time as VAPIX gives a build date, in UTC and English whatever the locale:
    "Dec 04 2026 20:00" (as the image's os-release has it)."""
    when = datetime.fromtimestamp(epoch, UTC)
    return f"{MONTHS[when.month - 1]} {when:%d %Y %H:%M}"


def _sources_date() -> str:
    """A development host's build date: the newest change to the herald package's sources."""
    package = Path(herald.__file__).parent
    return build_date(max(source.stat().st_mtime for source in package.rglob("*.py")))


@cache
def soc(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The processor the firmware runs on, as the kernel names it (read once:
    it is a parameter's value, asked on every param.cgi list)."""
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() in ("model name", "Hardware", "Model") and value.strip():
                return value.strip()
    except OSError:
        pass
    return ""


@cache
def this_device() -> Identity:
    return load(current().identity_dir)


@cache
def this_firmware() -> Firmware:
    return read_firmware()
