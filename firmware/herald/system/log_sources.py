"""Where the remote system log's entries come from. Every Herald process
appends to the same system log file, so following that file (across its
rotation) covers them all; on a device the journal adds the kernel and the
other services (journalctl's JSON). The journal also holds each line a Herald
daemon writes to the file (they log to both): those are left out, but not
what Herald's other units say only to the journal (the boot gate's decision,
the device identity)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import os
import shutil
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from herald.system.syslog_message import DAEMON, LINE, NIL, Entry, from_line

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
FOLLOW = ("--follow", "--output=json", "--lines=0")


class FileFollower:
    """New lines of one file as they are appended, from where it ends now;
    a rotated file is read to its end, then the new one from its start."""

    def __init__(self, path: Path, poll_seconds: float = POLL_SECONDS) -> None:
        self.path, self.poll_seconds = path, poll_seconds

    async def entries(self) -> AsyncIterator[Entry]:
        handle, inode, partial = None, None, b""
        try:
            handle, inode = self._open(at_end=True)
            while True:
                chunk = handle.read() if handle else b""
                if chunk:
                    *lines, partial = (partial + chunk).split(b"\n")
                    for line in lines:
                        if line:
                            yield from_line(line.decode("utf-8", "replace"))
                    await asyncio.sleep(0)  # a long burst leaves the device's other work its turn
                    continue
                await asyncio.sleep(self.poll_seconds)
                try:
                    now = os.stat(self.path).st_ino
                except FileNotFoundError:
                    continue
                if now != inode:  # rotated (its rest was read above): the new file
                    if handle:
                        handle.close()
                    handle, inode = self._open(at_end=False)
                    partial = b""
        finally:
            if handle:
                handle.close()

    def _open(self, at_end: bool) -> tuple[Any, int | None]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 (kept open while following)
        except FileNotFoundError:
            return None, None
        if at_end:
            handle.seek(0, os.SEEK_END)
        return handle, os.fstat(handle.fileno()).st_ino


def from_journal(record: dict[str, Any]) -> Entry | None:
    """An entry of journalctl's JSON output; None for a line of the system log
    file (sent from there)."""
    message = record.get("MESSAGE", "")
    if isinstance(message, list):  # journalctl gives non-UTF-8 text as bytes
        message = bytes(message).decode("utf-8", "replace")
    if LINE.fullmatch(str(message)):
        return None
    try:
        when = datetime.datetime.fromtimestamp(int(record["__REALTIME_TIMESTAMP"]) / 1e6,
                                               datetime.UTC).astimezone()
    except (KeyError, ValueError):
        when = datetime.datetime.now().astimezone()

    def number(name: str, default: int, most: int) -> int:
        with contextlib.suppress(KeyError, ValueError, TypeError):
            if 0 <= (value := int(record[name])) <= most:
                return value
        return default

    transport = record.get("_TRANSPORT")
    return Entry(when, str(record.get("_HOSTNAME", "")),
                 str(record.get("SYSLOG_IDENTIFIER") or record.get("_COMM") or
                     ("kernel" if transport == "kernel" else NIL)),
                 str(record.get("SYSLOG_PID") or record.get("_PID") or NIL),
                 number("SYSLOG_FACILITY", 0 if transport == "kernel" else DAEMON, 23),
                 number("PRIORITY", 6, 7), str(message))


def journal_entry(raw: bytes | str) -> Entry | None:
    """An entry of one line of journalctl's JSON output; None for a line of
    the system log file, or one that is not a journal record."""
    try:
        return from_journal(json.loads(raw))
    except (ValueError, TypeError, AttributeError):
        return None


class JournalSource:
    """The journal's new entries, from `journalctl -f -o json` (when the
    device has journalctl and herald-system may read the journal)."""

    def __init__(self, journalctl: Sequence[str]) -> None:
        self.command = (*journalctl, *FOLLOW)

    @staticmethod
    def available(journalctl: Sequence[str]) -> bool:
        """Whether this environment names a journalctl that is there."""
        return bool(journalctl) and shutil.which(journalctl[0]) is not None

    async def entries(self) -> AsyncIterator[Entry]:
        process = await asyncio.create_subprocess_exec(
            *self.command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            limit=1024 * 1024)
        try:
            assert process.stdout is not None
            async for raw in process.stdout:
                if entry := journal_entry(raw):
                    yield entry
            error = (await process.stderr.read()).decode(errors="replace").strip() \
                if process.stderr else ""
            log.error("journalctl ended (%s): %s", await process.wait(), error or "no reason given")
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
