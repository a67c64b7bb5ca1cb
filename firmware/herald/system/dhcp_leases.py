"""What the DHCP servers told systemd-networkd, from its lease files (one per
interface, NAME=value lines): the NTP servers (option 42) and the time zone
(option 101, asked for by UseTimezone= in the image's .network file)."""

from __future__ import annotations

from pathlib import Path

NTP = "NTP"
TIMEZONE = "TIMEZONE"


def lease_values(leases: Path, name: str) -> list[str]:
    """The words of `name=` in every lease, in interface order, each once."""
    found: list[str] = []
    try:
        files = sorted(leases.iterdir())
    except OSError:
        return found
    for lease in files:
        try:
            lines = lease.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, equals, value = line.partition("=")
            if equals and key == name:
                found += [word for word in value.split() if word not in found]
    return found
