"""The reset the device is in the middle of, as its data owners share it.

The data directory has two owners: the firmware (settings, files; the system
service clears them, reset.py) and the web admin (its database: accounts,
sessions, schedules). A reset is recorded first with the owners that still
have to clear their part; each clears its own and signs off, and one whose
part a power cut interrupted finishes it at its next start. The record goes
when the last owner signs off.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from herald.files import replace_atomically, sync_directory
from herald.system.contract import HARD, RESET_MODES, RESTORE

FIRMWARE = "firmware"
WEB_ADMIN = "web-admin"
OWNERS = (FIRMWARE, WEB_ADMIN)
RECORD = ".factory-default-pending"


class ResetRecord:
    """The reset the device is in the middle of, on disk: the mode on the first
    line, then each owner yet to clear its part. Owners sign off from
    different processes; a lock on the data directory orders them."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / RECORD

    def begin(self, mode: str) -> None:
        """Record a reset that every owner has to carry out (a factory default
        asked during a restore that is not finished wins)."""
        if mode not in RESET_MODES:
            raise ValueError(f"a reset is {' or '.join(RESET_MODES)}, not {mode!r}")
        with self._locked():
            current, _ = self._read()
            self._write(HARD if HARD in (mode, current) else RESTORE, OWNERS)

    def pending(self, owner: str) -> str | None:
        """The mode of the reset `owner` still has to carry out, if any."""
        with self._locked():
            mode, owners = self._read()
        return mode if owner in owners else None

    def done(self, owner: str) -> None:
        with self._locked():
            mode, owners = self._read()
            left = tuple(o for o in owners if o != owner)
            if mode is None:
                return
            if left:
                self._write(mode, left)
            else:
                self.path.unlink()
                sync_directory(self.data_dir)

    def _read(self) -> tuple[str | None, tuple[str, ...]]:
        try:
            lines = self.path.read_text().split()
        except FileNotFoundError:
            return None, ()
        mode = HARD if lines[:1] == [HARD] else RESTORE
        # A record of the mode alone (written by an older firmware) is every owner's.
        return mode, tuple(lines[1:]) or OWNERS

    def _write(self, mode: str, owners: tuple[str, ...]) -> None:
        replace_atomically(self.path, ("\n".join((mode, *owners)) + "\n").encode())

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.data_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

