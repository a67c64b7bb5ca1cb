"""Is the clock synchronized? Asked of chrony (the device's NTP client) or,
on a development host, of systemd-timesyncd; neither gives "unknown"."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Sequence

from herald.system.contract import TimeSync


def _run(*command: str) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def from_chrony(tracking: str, now: float) -> TimeSync:
    """Read `chronyc -c tracking` (one CSV line)."""
    fields = tracking.strip().split(",")
    ref_id, name, stratum, ref_time = fields[0], fields[1], int(fields[2]), float(fields[3])
    interval, leap = float(fields[12]), fields[13]
    unset = ref_id in ("00000000", "7F7F0101") or stratum == 0
    synchronized = not unset and leap != "Not synchronised"
    next_sync = max(0, round(ref_time + interval - now)) if synchronized else None
    return TimeSync("chrony", synchronized, name if synchronized else "", next_sync)


def status(chronyc: Sequence[str] = ()) -> TimeSync:
    """`chronyc`: how to reach the device's chronyd (the plain command when empty)."""
    tracking = _run(*(chronyc or ("chronyc",)), "-c", "tracking")
    if tracking:
        try:
            return from_chrony(tracking, time.time())
        except (IndexError, ValueError):
            pass
    shown = _run("timedatectl", "show", "--property=NTPSynchronized", "--property=NTP")
    if shown:
        values = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
        if values.get("NTP") == "yes":
            return TimeSync("timesyncd", values.get("NTPSynchronized") == "yes")
    return TimeSync(None, None)
