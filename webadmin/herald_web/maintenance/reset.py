"""Restart, restore and factory default, as the manual defines them.

Restore keeps the network settings the manual lists (boot protocol, IP
address, default router, subnet mask); factory default keeps nothing. Both
remove every account (the next visitor sets the root password), every
setting, certificate, clip and recording, then restart the device. A reset
is recorded on disk before it starts and finished at the next start if the
power fails half-way.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import subprocess

from django.conf import settings
from django.core.management import call_command

from herald.params.groups.network import KEPT_ON_RESTORE
from herald.system import contract as system
from herald_web.device import bus, params

log = logging.getLogger(__name__)

PENDING = ".factory-default-pending"
# What survives in the data directory: the database (emptied, not removed),
# the secrets, the logs, the device identity, runtime sockets, and the
# firmware's upgrade records (a factory-default upgrade resets the settings
# before the restart into the new firmware, which still has to decide).
KEPT_FILES = {"db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "secrets", "logs", "identity",
              "run", ".migrate.lock", PENDING, "update"}


def restart(by: str) -> None:
    log.info("restart requested by %s", by)
    bus().publish(system.RESTARTING, **system.Restarting(by).to_dict())
    command = settings.HERALD_REBOOT_COMMAND
    if not command:
        log.warning("no reboot command is set (development mode): the device keeps running")
        return
    subprocess.run(shlex.split(command), check=True, timeout=60)


def factory_default(hard: bool, by: str) -> None:
    data_dir = settings.ENVIRONMENT.data_dir
    marker = data_dir / PENDING
    marker.write_text("hard\n" if hard else "restore\n")
    log.warning("%s requested by %s", "factory default" if hard else "restore", by)
    finish_pending()
    restart(by)


def finish_pending() -> bool:
    """Carry out a recorded reset (again, after a power cut); True if one ran."""
    data_dir = settings.ENVIRONMENT.data_dir
    marker = data_dir / PENDING
    try:
        hard = marker.read_text().strip() == "hard"
    except FileNotFoundError:
        return False
    params().reset(keep=frozenset() if hard else KEPT_ON_RESTORE)
    call_command("flush", interactive=False, verbosity=0)  # accounts, sessions, every app
    for entry in data_dir.iterdir():
        if entry.name not in KEPT_FILES:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    marker.unlink()
    log.warning("settings are back to factory default%s", "" if hard else " (network kept)")
    return True
