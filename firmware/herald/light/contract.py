"""The light service's contract on the bus (herald-core runs it, beside the
status LED it drives).

A profile is a named light (pattern, speed, intensity, colour) with a
duration and a priority 1-10; starting one adds an activity. Of the running
activities the one of highest priority shows on the LED; with none, the LED
shows the system's state (amber at startup, steady green in normal
operation, a slow red flash after a failed upgrade).

State STATUS `LightStatus`: the activities and what the LED shows.
Calls to SERVICE; each answers {"ok": True, ...} or {"ok": False, "message"}:
    PROFILES()              -> "profiles": list of `Profile` dicts
    SAVE(profile, old_name) add, or replace the one named old_name
    REMOVE(name)            forget a profile
    START(name, by)         start a profile's activity -> "activity": its id
    PREVIEW(profile, by)    start an activity of an unsaved profile -> "activity"
    STOP(activity)          stop an activity; those above priority 10 end by themselves
    LOCATE(by)              Status's "Locate device": Identify (priority 12) flashes
                            the LED for LOCATE_SECONDS -> "activity"
    EXPORT(names)           -> "profiles": those profiles (all when empty)
    IMPORT(profiles, mode)  ADD, REPLACE_ALL or OVERWRITE; all or nothing
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "light"
STATUS = "light.status"

PROFILES = "profiles"
SAVE = "save"
REMOVE = "remove"
START = "start"
PREVIEW = "preview"
STOP = "stop"
LOCATE = "locate"
EXPORT = "export"
IMPORT = "import"

MAX_PROFILES = 30
MAX_ACTIVITIES = 10
PROFILE_PRIORITIES = range(1, 11)
MAINTENANCE, IDENTIFY, HEALTH_CHECK = 11, 12, 13  # reserved above the profiles'
LOCATE_SECONDS = 15

PATTERNS = ("steady", "blink", "pulse")
COLOURS = ("red", "green", "amber")
SPEEDS = {"slow": 1.0, "medium": 0.5, "fast": 0.2}  # seconds on, and off, per flash
INTENSITIES = {"low": 0.25, "medium": 0.6, "high": 1.0}
CONTINUOUS, TIME, REPETITIONS = "continuous", "time", "repetitions"
DURATIONS = (CONTINUOUS, TIME, REPETITIONS)
MAX_DURATION = 86400  # seconds or repetitions
ADD, REPLACE_ALL, OVERWRITE = "add", "replace", "overwrite"  # the manual's Import modes
MAX_NAME, MAX_DESCRIPTION = 64, 256


class Invalid(ValueError):
    """A profile or import refused, in words the page shows."""


@dataclass(frozen=True)
class Profile(Payload):
    name: str
    description: str = ""
    pattern: str = "steady"
    speed: str = "medium"
    intensity: str = "high"
    colour: str = "green"
    duration: str = CONTINUOUS
    amount: int = 0  # seconds for TIME, times for REPETITIONS
    priority: int = 5

    def __post_init__(self) -> None:
        _check(isinstance(self.name, str) and 0 < len(self.name.strip()) <= MAX_NAME
               and self.name == self.name.strip(),
               f"Name the profile (1 to {MAX_NAME} characters, no spaces around).")
        _check(isinstance(self.description, str) and len(self.description) <= MAX_DESCRIPTION,
               f"The description takes at most {MAX_DESCRIPTION} characters.")
        for field, allowed in (("pattern", PATTERNS), ("speed", tuple(SPEEDS)),
                               ("intensity", tuple(INTENSITIES)), ("colour", COLOURS),
                               ("duration", DURATIONS)):
            _check(getattr(self, field) in allowed,
                   f"The {field} must be one of {', '.join(allowed)}.")
        _check(_whole(self.priority) and self.priority in PROFILE_PRIORITIES,
               "The priority must be a whole number from 1 to 10.")
        if self.duration == CONTINUOUS:
            _check(self.amount == 0, "A continuous profile has no time or repetitions.")
        else:
            _check(_whole(self.amount) and 1 <= self.amount <= MAX_DURATION,
                   f"The {'time' if self.duration == TIME else 'repetitions'} must be "
                   f"a whole number from 1 to {MAX_DURATION}.")

    @classmethod
    def parse(cls, raw: object) -> Profile:
        """A profile from outside (a form, an imported file): refused as Invalid."""
        if not isinstance(raw, dict):
            raise Invalid("A profile must be a JSON object.")
        try:
            return cls.from_dict({**raw, "schema": cls.SCHEMA})
        except TypeError:
            raise Invalid("A profile needs a name.") from None


@dataclass(frozen=True)
class Activity:
    id: int
    name: str  # the profile's, or Maintenance, Identify, Health check
    priority: int
    pattern: str
    colour: str
    started: float  # seconds since the epoch
    ends: float | None  # when it ends by itself, if it does
    by: str


@dataclass(frozen=True)
class LightStatus(Payload):
    activities: tuple[Activity, ...]  # highest priority first
    shown: int | None  # the activity the LED shows, None: the system's state
    system: str  # the system's state: "startup", "normal", "failed upgrade"


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise Invalid(message)
