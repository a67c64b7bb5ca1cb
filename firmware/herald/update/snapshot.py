"""The configuration as the previous firmware left it, for going back to it.

A rollback returns "the firmware and its configuration to the state they were
in before the upgrade" (VAPIX firmware management). That also keeps the old
firmware away from a database the new one has migrated to a schema it does
not know. So before an upgrade writes anything, the configuration database
is copied (SQLite's online backup: consistent while the services run); when
the device goes back to that firmware (a rollback, an autorollback, or a new
firmware that did not start), `herald-update prepare` puts the copy back
before any service opens the database. Files (clips, recordings) stay as
they are.

The copy's owner is remembered in `rollback.json`: the slot and version it
belongs to, and whether the next boot of that slot should restore it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from herald.update.contract import INSTALLING, PendingUpgrade
from herald.update.pending import make_directory, write_json_atomically

SNAPSHOT_FILE = "rollback-config.sqlite3"
RECORD_FILE = "rollback.json"


@dataclass(frozen=True)
class Snapshot:
    slot: str  # the slot whose firmware this configuration belongs to
    version: str
    restore: bool = False  # put it back at the next boot of `slot`


class Snapshots:
    """The one kept configuration copy, beside the upgrade records on /data."""

    def __init__(self, directory: Path, database: Path) -> None:
        self.directory = directory
        self.database = database

    @property
    def copy(self) -> Path:
        return self.directory / SNAPSHOT_FILE

    def current(self) -> Snapshot | None:
        try:
            raw = json.loads((self.directory / RECORD_FILE).read_text())
            return Snapshot(str(raw["slot"]), str(raw["version"]), bool(raw.get("restore")))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return None  # a damaged record restores nothing

    def take(self, slot: str, version: str) -> None:
        """Copy the live database for `slot`'s firmware `version`."""
        make_directory(self.directory)
        self.forget()
        tmp = self.copy.with_name(self.copy.name + ".tmp")
        tmp.unlink(missing_ok=True)
        source = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        _fsync(tmp)
        os.replace(tmp, self.copy)
        write_json_atomically(self.directory / RECORD_FILE, asdict(Snapshot(slot, version)))

    def restore_on_next_boot(self, slot: str) -> bool:
        """Ask for the copy at the next boot of `slot`; False if there is none for it."""
        snapshot = self.current()
        if snapshot is None or snapshot.slot != slot or not self.copy.exists():
            return False
        write_json_atomically(self.directory / RECORD_FILE,
                              asdict(Snapshot(slot, snapshot.version, restore=True)))
        return True

    def restore_if_asked(self, booted: str) -> Snapshot | None:
        """At boot, before any service runs: put the copy back if it was asked for."""
        snapshot = self.current()
        if snapshot is None or not snapshot.restore or snapshot.slot != booted:
            return None
        if not self.copy.exists():
            self.forget()
            return None
        tmp = self.database.with_name(self.database.name + ".restore")
        shutil.copyfile(self.copy, tmp)
        if self.database.exists():  # the services' account keeps its database
            owner = self.database.stat()
            os.chown(tmp, owner.st_uid, owner.st_gid)
            os.chmod(tmp, owner.st_mode & 0o7777)
        _fsync(tmp)
        for journal in ("-wal", "-shm"):
            Path(f"{self.database}{journal}").unlink(missing_ok=True)
        os.replace(tmp, self.database)
        _fsync(self.database.parent)
        self.forget()
        return snapshot

    def forget(self) -> None:
        (self.directory / RECORD_FILE).unlink(missing_ok=True)
        self.copy.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def restore_at_boot(snapshots: Snapshots, pending: PendingUpgrade | None, booted: str,
                    this_boot: str) -> Snapshot | None:
    """Before the services start: the configuration to go back to, if this boot
    returns to the firmware an upgrade left (after the new one ran) or a rollback asked."""
    came_back = (pending is not None and pending.boot != this_boot
                 and pending.from_slot == booted and pending.stage != INSTALLING)
    if came_back:
        snapshots.restore_on_next_boot(booted)
    return snapshots.restore_if_asked(booted)


def booted_slot(cmdline: Path = Path("/proc/cmdline")) -> str:
    """The slot GRUB booted (rauc.slot= on the kernel command line), "" if none."""
    for word in cmdline.read_text().split():
        if word.startswith("rauc.slot="):
            return word.partition("=")[2]
    return ""
