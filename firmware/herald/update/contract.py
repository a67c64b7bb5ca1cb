"""The update service's contract on the bus: the names of what it keeps there
and of the calls it serves, and the shapes of their payloads. The update
service and the boot gate publish; the Maintenance and Status pages and VAPIX
read and call. All of them take the names from here.

State (what is true now):
    STATUS    `FirmwareStatus` (status.py): both slots, a pending upgrade, the last result
    PROGRESS  `Progress`: the upgrade the update service is checking or installing
    TRIAL     `Trial`: an Autorollback upgrade waiting for its confirmation
Calls to SERVICE, the update service (herald-updater, service.py); each answers
{"ok": True, ...} or, refused, {"ok": False, "reason": policy's code, "message"}:
    INSTALL(bundle, kind, confirm_minutes, by)  -> "version", "kind"
    ROLLBACK(by)       at once during a trial (the gate restarts), else at the next
                       restart -> "restart": whether the caller restarts, "version"
    PURGE()            forget the previous firmware
    READ_STATUS()      -> "status": a `FirmwareStatus`
Calls to TRIAL_SERVICE, served by the boot gate while TRIAL is set:
    CONFIRM()         keep the new firmware      -> {"confirmed": True, "version"}
    REJECT()          go back to the old one now -> {"rolling_back": True, "version"}
    EXTEND(minutes)   move the deadline          -> {"deadline"}

Each payload carries its `schema` (herald.payload): a reader refuses one it
does not know rather than guess at its fields.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "update"
TRIAL_SERVICE = "update-trial"
STATUS = "update.status"
PROGRESS = "update.progress"
TRIAL = "update.autorollback"
STATES = "update.*"  # a pattern for all of them (subscribe to bus.state_event(STATES))

INSTALL = "install"
ROLLBACK = "rollback"
PURGE = "purge"
READ_STATUS = "status"

CONFIRM = "confirm"
REJECT = "reject"
EXTEND = "extend"

# Progress stages, in the order an upgrade goes through them.
CHECKING = "checking"
INSTALLING = "installing"
INSTALLED = "installed"
WAITING = "waiting"  # for audio playback to end before the restart
RESTARTING = "restarting"
REFUSED = "refused"


@dataclass(frozen=True)
class Trial(Payload):
    """An Autorollback upgrade on trial: `version` runs until `deadline` unless confirmed."""

    version: str
    from_version: str
    deadline: float

    def seconds_left(self, now: float | None = None) -> int:
        return max(0, round(self.deadline - (time.time() if now is None else now)))


@dataclass(frozen=True)
class Progress(Payload):
    """One step of an upgrade as the Maintenance page shows it."""

    stage: str
    percent: int = 0
    message: str = ""
    time: float = dataclasses.field(default_factory=time.time)
    version: str = ""  # the firmware being installed, once known
    reason: str = ""  # why it was refused (policy's reason codes)

    def is_old(self, seconds: float) -> bool:
        """An outcome (refused, installed) older than `seconds`: no longer news."""
        return self.stage in (REFUSED, INSTALLED) and time.time() - self.time > seconds
