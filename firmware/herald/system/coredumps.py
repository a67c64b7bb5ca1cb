"""The crash report's core dumps: systemd-coredump keeps each in a file of
its own, and its record in the journal (what crashed, when, the stack
trace), which `coredumpctl info` prints. herald-system runs it: it may read
the journal, the web admin may not."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from herald.system.system_log import JournalError, journal_output

INFO_SECONDS = 20.0
INFO_BYTES = 256 * 1024  # the crash report stays bounded: a dump's stack traces fit


class CoredumpError(Exception):
    """No coredumpctl info for that dump; the message says why."""


def info(coredumpctl: Sequence[str], directory: Path, name: str) -> str:
    """`coredumpctl info` of the dump file `name` in `directory` (at most
    INFO_BYTES); only names of files there, never a path elsewhere."""
    if name in ("", ".", "..") or Path(name).name != name:
        raise CoredumpError(f"{name!r} is not the name of a core dump file")
    if not coredumpctl:
        raise CoredumpError("this system has no coredumpctl")
    command = [*coredumpctl, "info", "--no-pager", f"COREDUMP_FILENAME={directory / name}"]
    try:
        return journal_output(command, INFO_SECONDS)[:INFO_BYTES].decode(errors="replace")
    except JournalError as exc:
        raise CoredumpError(str(exc)) from None
