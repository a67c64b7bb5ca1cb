"""The update service's contract on the bus: the names of what it keeps there
and of the calls it serves, and the shapes of their payloads. The update
service and the boot gate publish; the Maintenance and Status pages and VAPIX
read and call. All of them take the names from here.

State (what is true now):
    STATUS    `FirmwareStatus`: both slots, a pending upgrade, the last result
    PROGRESS  `Progress`: the upgrade the update service is checking or installing
    TRIAL     `Trial`: an Autorollback upgrade waiting for its confirmation
    READY     `SystemReady`: the boot gate found the firmware services up in
              this boot (the events service's "System ready")
Calls to SERVICE, the update service (herald-updater, service.py); each answers
{"ok": True, ...} or, refused, {"ok": False, "reason": policy's code, "message"}:
    INSTALL(bundle, kind, confirm_minutes, by)  -> "version", "kind"; `bundle` is
                       a file on the device or an http(s) address (`bundle_url_problem`)
    ROLLBACK(by)       at once during a trial (the gate restarts), else at the next
                       restart -> "restart": whether the caller restarts, "version"
    PURGE()            forget the previous firmware
    READ_STATUS()      -> "status": a `FirmwareStatus`
    CHECK(kind, confirm_minutes)  whether INSTALL would take this upgrade type and
                       time to confirm -> "kind", "confirm_seconds"; a page asks
                       before it hands over a bundle
Calls to TRIAL_SERVICE, served by the boot gate while TRIAL is set:
    CONFIRM()         keep the new firmware      -> {"confirmed": True, "version"}
    REJECT()          go back to the old one now -> {"rolling_back": True, "version"}
    EXTEND(minutes)   move the deadline          -> {"deadline"}

Each payload carries its `schema` (herald.payload): a reader refuses one it
does not know rather than guess at its fields. A refusal's reason is one of
the codes below, so the page and VAPIX (which numbers its errors) tell the
cases apart without parsing sentences; `UpdateRefused` carries one in Python.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from herald.payload import Payload

SERVICE = "update"
TRIAL_SERVICE = "update-trial"
STATUS = "update.status"
PROGRESS = "update.progress"
TRIAL = "update.autorollback"
READY = "update.ready"
STATES = "update.*"  # a pattern for all of them (subscribe to bus.state_event(STATES))

INSTALL = "install"
ROLLBACK = "rollback"
PURGE = "purge"
READ_STATUS = "status"
CHECK = "check"

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
ABANDONED = "abandoned"  # a pending upgrade's: the new firmware gave up and restarts into the old
PENDING_STAGES = (INSTALLING, INSTALLED, ABANDONED)

# The upgrade types an administrator chooses from (INSTALL's kind).
STANDARD = "standard"
FACTORY_DEFAULT = "factory-default"
AUTOROLLBACK = "autorollback"
KINDS = (STANDARD, FACTORY_DEFAULT, AUTOROLLBACK)
MAX_CONFIRM_MINUTES = 24 * 60  # an Autorollback upgrade's longest time to confirm

# Why an upgrade, rollback or commit was refused.
BUSY = "busy"  # another upgrade is running or waits for a restart or a confirmation
INVALID = "invalid-bundle"  # not a complete Herald firmware bundle, or damaged
UNTRUSTED = "untrusted"  # not signed by a key this device trusts
INCOMPATIBLE = "incompatible"  # made for another kind of device
TOO_OLD = "too-old"  # below the downgrade floor
NO_PREVIOUS = "no-previous"  # nothing to roll back to
NOT_COMMITTED = "not-committed"  # the running firmware still waits for its confirmation
FAILED = "failed"  # RAUC could not write the slot
UNAVAILABLE = "unavailable"  # no RAUC service (a development host), or no update service
UNREACHABLE = "unreachable"  # no bundle could be read from the address given
BAD_REQUEST = "invalid-request"  # an upgrade type or a time that is not offered

# A bundle may also come from a web server: RAUC streams it over HTTP range
# requests, and as the bundle is adaptive it downloads only the blocks neither
# slot holds already (a new web admin: a small part of the bundle).
URL_SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000


def is_url(bundle: str) -> bool:
    return urlsplit(bundle).scheme.lower() in URL_SCHEMES


def bundle_url_problem(url: object) -> str | None:
    """Why `url` is not an address a bundle can be installed from, or None."""
    if not isinstance(url, str) or not url:
        return "the firmware's address must be a URL (http:// or https://)"
    if len(url) > MAX_URL_LENGTH:
        return f"the firmware's address is longer than {MAX_URL_LENGTH} characters"
    if any(c.isspace() or not c.isprintable() for c in url):
        return "the firmware's address must not hold spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError as exc:
        return f"the firmware's address is not a valid URL: {exc}"
    if parts.scheme.lower() not in URL_SCHEMES:
        return "the firmware's address must start with http:// or https://"
    if not parts.hostname:
        return "the firmware's address names no server"
    if parts.username is not None:
        return "the firmware's address must not hold a user name or password"
    return None


# The version of VAPIX's firmware management API (firmwaremanagement.cgi) served.
FIRMWARE_MANAGEMENT_VERSION = "1.3"


class UpdateRefused(Exception):
    """Nothing was installed or changed; the message says why, for the administrator."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def answer(self) -> dict[str, object]:
        """The refusal as a call answers it."""
        return {"ok": False, "reason": self.reason, "message": str(self)}


@dataclass(frozen=True)
class SystemReady(Payload):
    """The services answered in the boot `boot` (its id: a state kept from an
    earlier boot is not this boot's readiness)."""

    boot: str
    time: float  # seconds since the epoch


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


@dataclass(frozen=True)
class PendingUpgrade:
    """An upgrade that started on `from_slot` and is not decided yet."""

    kind: str
    stage: str
    from_slot: str  # RAUC bootname, "A" or "B"
    from_version: str
    to_version: str
    confirm_seconds: int = 0  # autorollback: time the administrator has to confirm
    deadline: float = 0  # autorollback: when the time runs out (set on the new firmware's boot)
    reason: str = ""  # why the new firmware gave up (stage abandoned)
    boot: str = ""  # the boot id of the boot that installed it

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"upgrade type must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.stage not in PENDING_STAGES:
            raise ValueError(f"unknown upgrade stage {self.stage!r}")
        if self.kind == AUTOROLLBACK and self.confirm_seconds <= 0:
            raise ValueError("autorollback needs a confirmation time of at least one second")


@dataclass(frozen=True)
class UpgradeResult:
    """How the last upgrade ended, in words an administrator can act on."""

    outcome: str  # "upgraded", "rolled back", "failed"
    version: str  # the version now running
    message: str
    time: float


@dataclass(frozen=True)
class SlotState:
    """One root slot, in the words of the Status page."""

    name: str  # "A" or "B"
    running: bool
    boots_next: bool
    good: bool
    version: str  # "" when RAUC does not know what the slot holds
    installed: str  # when RAUC last wrote it, "" if never


@dataclass(frozen=True)
class FirmwareStatus(Payload):
    """What RAUC says of the two slots and what the upgrade records say, in one."""

    version: str  # the running firmware
    booted: str  # slot name
    slots: tuple[SlotState, ...]
    pending: PendingUpgrade | None
    last: UpgradeResult | None

    @property
    def other(self) -> SlotState | None:
        return next((s for s in self.slots if not s.running), None)
