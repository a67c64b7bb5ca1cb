"""Restore and factory default of the data partition, as the manual defines
them: restore keeps the network settings it lists (`KEPT_ON_RESTORE`),
factory default keeps none; both remove every other setting and every file
the device gathered (certificates, clips, recordings).

This is the firmware's part of a reset (reset_record.py says how the parts
are shared out), done by the system service.
"""

from __future__ import annotations

import logging
import shutil

from herald.environment import Environment
from herald.params import ParamStore
from herald.params.groups.network import KEPT_ON_RESTORE
from herald.recordings.store import RecordingStore
from herald.system.contract import RESTORE
from herald.system.reset_record import FIRMWARE, RECORD, ResetRecord

log = logging.getLogger(__name__)

# What stays in the data directory: the web admin's database (its owner
# empties it; the parameters in it are the firmware's to reset), the secrets,
# the logs, the device identity, runtime sockets, the reset record itself,
# and the firmware's upgrade records (a factory-default upgrade resets before
# the restart into the new firmware, which still has to decide).
KEPT = {"db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "secrets", "logs", "identity",
        "run", ".migrate.lock", RECORD, "update"}


def clear_firmware_data(environment: Environment, params: ParamStore, mode: str) -> None:
    """The firmware's part of a reset: its settings back to default (the
    network kept on restore), the recordings' records and every file the
    device gathered removed."""
    params.reset(keep=KEPT_ON_RESTORE if mode == RESTORE else frozenset())
    RecordingStore(environment.database, environment.data_dir).forget_all()
    for entry in environment.data_dir.iterdir():
        if entry.name in KEPT or entry.name.startswith(RECORD):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    log.warning("settings are back to factory default%s",
                " (network kept)" if mode == RESTORE else "")


def finish_firmware_part(environment: Environment, params: ParamStore) -> bool:
    """Carry out the firmware's part of a recorded reset; True if there was one."""
    record = ResetRecord(environment.data_dir)
    mode = record.pending(FIRMWARE)
    if mode is None:
        return False
    clear_firmware_data(environment, params, mode)
    record.done(FIRMWARE)
    return True
