"""Restart, restore and factory default as the web admin asks for them: a
client of the system service (herald-system), which restarts the device and
resets the firmware's settings and files. What stays here is the web admin's
own part of a reset: its database (every account, so the next visitor sets
the root password; sessions; schedules), emptied while the reset is
recorded and, if a power cut interrupted that, at the next start.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management import call_command

from herald.system import contract as system
from herald.system.reset_record import WEB_ADMIN, ResetRecord
from herald_web import device

log = logging.getLogger(__name__)

CALL_SECONDS = 120  # clearing the data partition of a slow device


class ResetFailed(Exception):
    """The system service did not carry out the restart or reset; says why."""


def call(method: str, **params: str) -> None:
    answer = device.call(system.SERVICE, method, CALL_SECONDS, **params)
    if not answer.get("ok"):
        raise ResetFailed(answer.get("message", "the system service refused"))


def restart(by: str) -> None:
    call(system.RESTART, by=by)


def factory_default(hard: bool, by: str) -> None:
    """Restore (hard=False: the network settings stay) or factory default, then restart."""
    call(system.RESET, mode=system.HARD if hard else system.RESTORE, by=by)
    finish_pending()
    restart(by)


def finish_pending() -> bool:
    """Empty the database for a recorded reset; True if one was pending."""
    record = ResetRecord(settings.ENVIRONMENT.data_dir)
    if record.pending(WEB_ADMIN) is None:
        return False
    call_command("flush", interactive=False, verbosity=0)  # accounts, sessions, every app
    record.done(WEB_ADMIN)
    log.warning("the web admin's accounts and data are cleared for the reset")
    return True
