"""What the device remembers about an upgrade across the reboot it needs.

An upgrade spans two boots: the old firmware installs the bundle and
restarts, the new firmware decides whether it stays. The record is written on
the data partition before RAUC writes anything, updated once RAUC is done, and
removed when the new firmware has decided; every write is atomic and synced,
so a power cut at any point leaves either the old record or the new one.
The outcome of the last upgrade is kept apart, for the Status and Maintenance
pages.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from herald.environment import current
from herald.files import replace_atomically, sync_directory
from herald.update.contract import PendingUpgrade, UpgradeResult

PENDING_FILE = "pending.json"
RESULT_FILE = "result.json"
SLOTS_FILE = "slots.json"
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def records_dir() -> Path:
    """Where the upgrade records live: the data partition, kept across slots."""
    return current().data_dir / "update"


def boot_id() -> str:
    """This boot's identity: a record written in this boot is not yet about a restart."""
    try:
        return BOOT_ID.read_text().strip()
    except OSError:
        return ""


def make_directory(directory: Path) -> None:
    """Create `directory` for the account that owns its parent: the boot gate runs as
    root, the worker that installs upgrades as the services' account, both write here."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        owner = directory.parent.stat()
        os.chown(directory, owner.st_uid, owner.st_gid)


def write_json_atomically(path: Path, value: dict[str, Any]) -> None:
    """Replace `path` with `value` so that a power cut leaves old or new, never half."""
    make_directory(path.parent)
    replace_atomically(path, json.dumps(value).encode())


def _read(path: Path, cls: type) -> Any:
    try:
        raw = json.loads(path.read_text())
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        # A record no firmware could have written: say so rather than guess.
        raise ValueError(f"{path}: unreadable upgrade record: {exc}") from exc


class UpgradeRecords:
    """The pending upgrade and the last result, in one directory on /data."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def pending(self) -> PendingUpgrade | None:
        return _read(self.directory / PENDING_FILE, PendingUpgrade)

    def save_pending(self, pending: PendingUpgrade) -> None:
        write_json_atomically(self.directory / PENDING_FILE, asdict(pending))

    def clear_pending(self) -> None:
        try:
            (self.directory / PENDING_FILE).unlink()
        except FileNotFoundError:
            return
        sync_directory(self.directory)

    def result(self) -> UpgradeResult | None:
        return _read(self.directory / RESULT_FILE, UpgradeResult)

    def save_result(self, result: UpgradeResult) -> None:
        write_json_atomically(self.directory / RESULT_FILE, asdict(result))

    def slot_versions(self) -> dict[str, str]:
        """The version each slot ran when it last booted (RAUC knows only what it wrote,
        not what the image builder put into the first slot)."""
        try:
            known = json.loads((self.directory / SLOTS_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return {str(k): str(v) for k, v in known.items()} if isinstance(known, dict) else {}

    def remember_slot(self, slot: str, version: str) -> None:
        known = self.slot_versions()
        if known.get(slot) != version:
            write_json_atomically(self.directory / SLOTS_FILE, {**known, slot: version})
