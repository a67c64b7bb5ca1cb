"""chrony, the device's NTP client, as herald-system drives it: the sources
the Time.* settings ask for, in a file of chrony's `sourcedir` on a writable
partition (the root filesystem is read-only), read again by `chronyc reload
sources`; and the clock set by hand (`chronyc manual on`, `settime`) while no
source is configured."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from herald.files import replace_atomically

SOURCES_FILE = "herald.sources"  # chrony reads *.sources of its sourcedir
COMMAND_SECONDS = 10
REFUSED = re.compile(r"^5\d\d ", re.MULTILINE)
HEADER = "# herald-system writes this file from the Time.* settings (System > Date and time).\n"


class ChronyError(Exception):
    """chronyc refused a command or did not answer; the message says why."""


@dataclass(frozen=True)
class Source:
    host: str
    nts: bool = False


def render(sources: Iterable[Source], port: int | None = None) -> str:
    """chrony's lines for `sources`: `server` with iburst (the first sync in
    seconds, not minutes), `nts` for NTS key establishment, a port for tests."""
    lines = [HEADER]
    for source in sources:
        words = ["server", source.host, "iburst"]
        if port:
            words += ["port", str(port)]
        if source.nts:
            words.append("nts")
        lines.append(" ".join(words) + "\n")
    return "".join(lines)


def write_sources(directory: Path, text: str) -> bool:
    """Store `text` as the sources file; False when it already says that."""
    path = directory / SOURCES_FILE
    try:
        if path.read_text() == text:
            return False
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, text.encode())
    os.chmod(path, 0o644)  # chronyd reads it as its own user
    return True


def chronyc(command: Sequence[str], *arguments: str) -> str:
    """Run one chronyc command; its output, or ChronyError."""
    try:
        done = subprocess.run([*command, *arguments], capture_output=True, text=True,
                              timeout=COMMAND_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ChronyError(f"chronyc did not run: {exc}") from None
    # chronyc says "200 OK" on success, and exits 0 even for some refusals (5xx).
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or REFUSED.search(output):
        raise ChronyError(output or f"chronyc exited with {done.returncode}")
    return output


def reload_sources(command: Sequence[str]) -> None:
    chronyc(command, "reload", "sources")


def set_time(command: Sequence[str], when: datetime.datetime) -> None:
    """Set the clock to `when` (aware) by hand: chrony takes it as its reference.

    Each time set by hand stands alone: chronyd would otherwise estimate a
    drift from it and the earlier ones (a clock set ahead and back again
    looks like a wild frequency error, and is not followed). The device's
    chrony.conf steps the clock for any offset over a second (makestep 1 -1),
    so it changes at once."""
    utc = when.astimezone(datetime.UTC)
    chronyc(command, "manual", "on")
    chronyc(command, "manual", "reset")
    chronyc(command, "settime", utc.strftime("%Y-%m-%d %H:%M:%S UTC"))
