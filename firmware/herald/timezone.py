"""The device's time zone as the Time.* settings give it: an IANA zone by
name, or a POSIX TZ string alone (VAPIX setPosixTimeZone) made into a time
zone file (TZif, RFC 8536) that holds only that rule. herald-system installs
it as the system's (/etc/localtime points at it); the events service's
schedules follow the same zone."""

from __future__ import annotations

import io
import struct
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

from herald.system.contract import DEFAULT_TIME_ZONE, POSIX_TIME_ZONE, TIME_ZONE


def tzif(posix: str) -> bytes:
    """A TZif version 2 file whose footer, the POSIX rule, decides every time.
    The format wants one local time type (here UTC, for no time at all); the
    version 2 part has one transition, at the beginning of time, because
    glibc reads the footer only after the last transition."""
    ttinfo = struct.pack(">lBB", 0, 0, 0) + b"\0"  # UTC, not DST, its name ""
    # Counts: UT/local and standard/wall indicators, leap seconds, transitions, types, chars.
    v1 = b"TZif2" + bytes(15) + struct.pack(">6l", 0, 0, 0, 0, 1, 1) + ttinfo
    v2 = (b"TZif2" + bytes(15) + struct.pack(">6l", 0, 0, 0, 1, 1, 1)
          + struct.pack(">qB", -(2 ** 59), 0) + ttinfo)
    return v1 + v2 + f"\n{posix}\n".encode()


def zone_file(values: Mapping[str, str]) -> Path | bytes:
    """The zone the settings ask for: the IANA zone's file, or a TZif of the POSIX rule."""
    name = values.get(TIME_ZONE, DEFAULT_TIME_ZONE)
    if name:
        for directory in zoneinfo.TZPATH:
            path = Path(directory) / name
            if path.is_file():
                return path
    return tzif(values.get(POSIX_TIME_ZONE) or "UTC0")


def zone(values: Mapping[str, str]) -> zoneinfo.ZoneInfo:
    """The settings' zone for Python's clocks (UTC when the name is unknown here)."""
    found = zone_file(values)
    try:
        if isinstance(found, Path):
            return zoneinfo.ZoneInfo(values.get(TIME_ZONE, DEFAULT_TIME_ZONE))
        return zoneinfo.ZoneInfo.from_file(io.BytesIO(found), key=values.get(POSIX_TIME_ZONE))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return zoneinfo.ZoneInfo("UTC")
