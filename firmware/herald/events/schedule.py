"""Schedules and pulses (System > Events > Schedules): the conditions that
hold during set hours and the triggers that fire at set moments.

A schedule is kept as AXIS devices keep it (the event service's
AddScheduledEvent, the Event Schedules API): a small part of an iCalendar
VEVENT (RFC 5545), for example daily from 18:00 to 18:01::

    DTSTART:19700101T180000
    DTEND:19700101T180100
    RRULE:FREQ=DAILY

With a DTEND it is an `Interval`, a state: active from each start until its
end. Without one (or with DTEND equal to DTSTART, as AXIS allows) it is a
`Pulse`: it fires at each start and holds no state. `Schedule.parse` reads
either and `to_ical` writes it back in one canonical form.

What is understood: DTSTART, DTEND and RRULE, optionally inside
BEGIN/END:VCALENDAR and BEGIN/END:VEVENT; in the RRULE, FREQ (SECONDLY,
MINUTELY, HOURLY, DAILY, WEEKLY; an interval only DAILY or WEEKLY), INTERVAL
and BYDAY. BYDAY picks the days of a WEEKLY rule (weeks start on Monday, as
RFC 5545's default WKST=MO) and limits a rule that repeats at least daily to
those days. DTSTART is an occurrence only when the rule picks it (RFC 5545
leaves that case undefined): a rule that starts on a Wednesday for Mondays
first happens on the Monday after. Anything else is refused with a message
saying what to write instead, never ignored.

Times are floating: wall-clock times in the device's time zone, which is
given when a schedule is evaluated, so 18:00 stays 18:00 across DST changes
and a new zone needs no rewrite. The repetition is worked out on the wall
clock and each wall-clock time is then placed on the timeline:

- A time in the spring-forward gap (02:30 on 2026-03-29 in Stockholm) happens
  at the first moment after the gap (03:00). An interval wholly inside the
  gap starts there and keeps its length, so a daily 02:30-02:31 speaker test
  still runs that day, at 03:00-03:01; pulses in the gap fire once, at 03:00.
- A time in the autumn fold (02:30 on 2026-10-25) counts once, at its first
  occurrence. During the repeated hour nothing starts or ends, so a pulse
  every 5 minutes is silent for that hour: the clock shows those minutes for
  the second time.

Times given to and returned by the methods are aware datetimes; results are
in UTC, for the engine to sleep until them or compare them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import islice, pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

FREQUENCIES = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}
INTERVAL_FREQUENCIES = ("DAILY", "WEEKLY")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # by datetime.weekday()
MAX_INTERVAL = 9999
YEARS = (1900, 2999)  # far enough from datetime's limits that stepping on cannot overflow
MAX_LINE = 75  # RFC 5545's line length; folded lines are not supported
MAX_LINES = 7  # BEGIN:VCALENDAR, BEGIN:VEVENT, DTSTART, DTEND, RRULE, END:VEVENT, END:VCALENDAR

_JUST_AFTER = timedelta(microseconds=1)
_SECOND = timedelta(seconds=1)
# Looking back this far (beyond an interval's length) finds every occurrence
# that may still be running: more than any UTC offset change at once (Samoa
# skipped a whole day in 2011).
_LOOKBACK = timedelta(days=2)
_TIME = re.compile(r"([0-9]{8}T[0-9]{6})(Z?)")
_NUMBERED_DAY = re.compile(r"[+-]?[0-9]+[A-Z]{2}")


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """What intervals and pulses share: a first start and how it repeats."""

    start: datetime  # DTSTART: a naive wall-clock time in the device's zone
    freq: str
    interval: int = 1
    days: frozenset[int] = frozenset()  # BYDAY as datetime.weekday() numbers

    def __post_init__(self) -> None:
        for name, value in self._times():
            if value.tzinfo is not None or value.microsecond:
                raise ValueError(f"{name} must be a wall-clock time in whole seconds, "
                                 "without a zone")
            if not YEARS[0] <= value.year <= YEARS[1]:
                raise ValueError(f"{name} is in {value.year}: use a year from {YEARS[0]} to "
                                 f"{YEARS[1]} (AXIS devices use 1970)")
        if self.freq not in FREQUENCIES:
            raise ValueError(f"FREQ={self.freq} is not supported: use {', '.join(FREQUENCIES)}")
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise ValueError(f"INTERVAL must be from 1 to {MAX_INTERVAL}, not {self.interval}")
        if not self.days <= set(range(7)):
            raise ValueError("BYDAY takes days numbered 0 (Monday) to 6 (Sunday)")
        if self.days and self.freq != "WEEKLY" and self._step > FREQUENCIES["DAILY"]:
            # Only a rule that repeats at least daily has a start on every day to pick from.
            raise ValueError(f"BYDAY cannot pick days of a rule that repeats every {self._step}; "
                             "for some days every N weeks use FREQ=WEEKLY;INTERVAL=N;BYDAY=...")

    @classmethod
    def parse(cls, text: str) -> Interval | Pulse:
        """Read a schedule as AXIS devices store it; ValueError says what is wrong."""
        properties = _properties(text)
        if "DTSTART" not in properties:
            raise ValueError("DTSTART is missing: give the first start, "
                             "e.g. DTSTART:19700101T180000")
        if "RRULE" not in properties:
            raise ValueError("RRULE is missing: say how the schedule repeats, "
                             "e.g. RRULE:FREQ=DAILY")
        start = _parse_time("DTSTART", properties["DTSTART"])
        end = _parse_time("DTEND", properties.get("DTEND", properties["DTSTART"]))
        freq, interval, days = _parse_rule(properties["RRULE"])
        if end == start:
            return Pulse(start=start, freq=freq, interval=interval, days=days)
        return Interval(start=start, end=end, freq=freq, interval=interval, days=days)

    def to_ical(self) -> str:
        """The canonical text: what `parse` reads back to an equal schedule."""
        rule = f"FREQ={self.freq}"
        if self.interval != 1:
            rule += f";INTERVAL={self.interval}"
        if self.days:
            rule += ";BYDAY=" + ",".join(DAYS[day] for day in sorted(self.days))
        return "\n".join([*(f"{name}:{_ical(value)}" for name, value in self._times()),
                          f"RRULE:{rule}"])

    def _times(self) -> tuple[tuple[str, datetime], ...]:
        return (("DTSTART", self.start),)

    @property
    def _step(self) -> timedelta:
        return FREQUENCIES[self.freq] * self.interval

    @property
    def _anchors(self) -> tuple[datetime, ...]:
        """The starts of the first cycle, each repeating every `_step`."""
        if self.freq != "WEEKLY":
            return (self.start,)
        monday = self.start.date() - timedelta(days=self.start.weekday())
        return tuple(datetime.combine(monday + timedelta(days=day), self.start.time())
                     for day in sorted(self.days or {self.start.weekday()}))

    def _first_start(self, wall: datetime) -> datetime:
        """The first start at or after the wall-clock time `wall`, by arithmetic, not by
        stepping: a pulse every second since 1970 answers at once."""
        wall = max(wall, self.start)
        while True:
            start = min(anchor + self._step * -((anchor - wall) // self._step)
                        for anchor in self._anchors)
            if self.freq == "WEEKLY" or not self.days or start.weekday() in self.days:
                return start
            # A rule repeating at least daily has a start on every day: try the next one.
            wall = datetime.combine(start.date() + timedelta(days=1), time())

    def _starts(self, wall: datetime) -> Iterator[datetime]:
        """The starts from the wall-clock time `wall` on, in order."""
        while True:
            wall = self._first_start(wall)
            yield wall
            wall += _JUST_AFTER


@dataclass(frozen=True, kw_only=True)
class Interval(Schedule):
    """A schedule with an end: active from each start for as long, on the wall
    clock, as from DTSTART to DTEND (08:00-18:00 stays that on DST days)."""

    end: datetime  # DTEND of the first occurrence, naive like `start`

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.freq not in INTERVAL_FREQUENCIES:
            raise ValueError(f"a schedule with DTEND repeats DAILY or WEEKLY, not {self.freq}; "
                             "leave DTEND out to make it a pulse that fires at each start")
        if self.end <= self.start:
            later = self.end + timedelta(days=(self.start - self.end).days + 1)
            raise ValueError(f"DTEND {_ical(self.end)} is not after DTSTART {_ical(self.start)}; "
                             f"an interval across midnight ends on a later day, "
                             f"e.g. DTEND:{_ical(later)}")
        shortest = min(b - a for a, b in pairwise(islice(self._starts(self.start + self._step), 8)))
        if self.length >= shortest:
            raise ValueError(f"the interval lasts {self.length} but starts again after "
                             f"{shortest}: DTEND must come before the next start")

    @property
    def length(self) -> timedelta:
        """How long each occurrence lasts on the wall clock."""
        return self.end - self.start

    def active(self, at: datetime, zone: ZoneInfo) -> bool:
        """Whether the schedule holds at the moment `at` (start included, end not)."""
        moment = _utc(at)
        return self._span_after(moment, zone)[0] <= moment

    def next_change(self, after: datetime, zone: ZoneInfo) -> datetime:
        """The first moment after `after` at which the schedule starts or ends, in UTC."""
        moment = _utc(after)
        start, end = self._span_after(moment, zone)
        return start if start > moment else end

    def _times(self) -> tuple[tuple[str, datetime], ...]:
        return (*super()._times(), ("DTEND", self.end))

    def _span_after(self, moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The first time the schedule is active that ends after `moment`, in UTC."""
        return next(span for span in self._spans(moment, zone) if span[1] > moment)

    def _spans(self, near: datetime, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
        """The occurrences on the timeline from a little before `near`, in order; ones
        that touch or overlap (which only a DST gap can make) are joined into one."""
        wall = near.astimezone(zone).replace(tzinfo=None) - self.length - _LOOKBACK
        joined: tuple[datetime, datetime] | None = None
        for first in self._starts(wall):
            start = _moment(first, zone)
            end = _moment(first + self.length, zone)
            if end <= start:  # wholly inside a gap: it happens after it, at its length
                end = start + self.length
            if joined and start <= joined[1]:
                joined = (joined[0], max(joined[1], end))
                continue
            if joined:
                yield joined
            joined = (start, end)


@dataclass(frozen=True, kw_only=True)
class Pulse(Schedule):
    """A schedule without an end: it fires at each start and holds no state."""

    def next_fire(self, after: datetime, zone: ZoneInfo) -> datetime:
        """The first moment after `after` at which the pulse fires, in UTC."""
        return _moment(self._first_start(_wall_after(_utc(after), zone)), zone)


class Preset(NamedTuple):
    """A schedule AXIS devices ship with, by the id and name VAPIX clients know."""

    id: str
    name: str
    ical: str


# The four schedules AXIS devices ship, by the ids and names of the VAPIX event
# docs' UserAlarm/Recurring/Interval topic. The C1410 manual does not list them.
# Office Hours and Weekends are as read from an AXIS OS 12 device; Weekdays and
# After Hours as one third-party VAPIX script restores them.
DEFAULTS = (
    Preset("com.axis.schedules.office_hours", "Office Hours",
           "DTSTART:19700101T080000\nDTEND:19700101T180000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    Preset("com.axis.schedules.after_hours", "After Hours",
           "DTSTART:19700101T180000\nDTEND:19700102T080000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    Preset("com.axis.schedules.weekdays", "Weekdays",
           "DTSTART:19700105T000000\nDTEND:19700110T000000\nRRULE:FREQ=WEEKLY"),
    Preset("com.axis.schedules.weekends", "Weekends",
           "DTSTART:19700103T000000\nDTEND:19700105T000000\nRRULE:FREQ=WEEKLY"),
)


def _properties(text: str) -> dict[str, str]:
    """The text's properties by name, each line checked, the BEGIN/END wrapping removed."""
    if len(text) > MAX_LINES * (MAX_LINE + 2):
        raise ValueError(f"the schedule is {len(text)} characters long: it has at most "
                         f"{MAX_LINES} lines of {MAX_LINE} characters")
    if "\\n" in text:
        raise ValueError("the schedule holds a literal \\n: put DTSTART, DTEND and RRULE "
                         "each on a line of its own")
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValueError(f"the schedule has {len(lines)} lines, at most {MAX_LINES}: "
                         "DTSTART, DTEND and RRULE, in BEGIN/END:VEVENT and VCALENDAR if need be")
    numbered = [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]
    for number, line in numbered:
        if len(line) > MAX_LINE:
            raise ValueError(f"line {number} is {len(line)} characters long, at most {MAX_LINE} "
                             "(folded lines are not supported)")
    for component in ("VCALENDAR", "VEVENT"):
        if numbered and numbered[0][1].upper() == f"BEGIN:{component}":
            if numbered[-1][1].upper() != f"END:{component}":
                raise ValueError(f"BEGIN:{component} on line {numbered[0][0]} needs "
                                 f"END:{component} on the last line")
            numbered = numbered[1:-1]
    properties: dict[str, str] = {}
    for number, line in numbered:
        head, colon, value = line.partition(":")
        name, semicolon, parameters = head.partition(";")
        name = name.strip().upper()
        if not colon:
            raise ValueError(f"line {number}: {line!r} is not NAME:VALUE, "
                             "e.g. DTSTART:19700101T180000")
        if semicolon:
            raise ValueError(f"line {number}: {name} has parameters ({parameters}); times are "
                             f"the device's local time: write {name}:{value.strip()}")
        if name not in ("DTSTART", "DTEND", "RRULE"):
            raise ValueError(f"line {number}: {name} is not supported; a schedule has DTSTART, "
                             "RRULE and, for an interval, DTEND")
        if name in properties:
            raise ValueError(f"line {number}: {name} is given twice")
        properties[name] = value.strip()
    return properties


def _parse_time(name: str, value: str) -> datetime:
    match = _TIME.fullmatch(value)
    if match and match[2]:
        raise ValueError(f"{name}:{value} is in UTC (it ends in Z); times are the device's "
                         f"local time: write {name}:{match[1]}")
    try:
        if match:
            return datetime.strptime(match[1], "%Y%m%dT%H%M%S")
    except ValueError:
        pass
    raise ValueError(f"{name}:{value} is not a date and time like {name}:19700101T180000 "
                     "(year, month, day, T, hours, minutes, seconds)")


def _parse_rule(rule: str) -> tuple[str, int, frozenset[int]]:
    """FREQ, INTERVAL and BYDAY of an RRULE value."""
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        key, equals, value = (word.strip().upper() for word in part.partition("="))
        if not (key and equals and value):
            raise ValueError(f"RRULE part {part!r} is not KEY=VALUE, e.g. FREQ=DAILY")
        if key not in ("FREQ", "INTERVAL", "BYDAY"):
            raise ValueError(f"RRULE part {key} is not supported; a rule has FREQ and, "
                             "if need be, INTERVAL and BYDAY")
        if key in parts:
            raise ValueError(f"RRULE gives {key} twice")
        parts[key] = value
    if "FREQ" not in parts:
        raise ValueError("RRULE needs FREQ, e.g. RRULE:FREQ=DAILY")
    interval = parts.get("INTERVAL", "1")
    if not re.fullmatch("[0-9]+", interval):
        raise ValueError(f"INTERVAL={interval} is not a whole number from 1 to {MAX_INTERVAL}")
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    return parts["FREQ"], int(interval), frozenset(_parse_day(day.strip()) for day in days)


def _parse_day(day: str) -> int:
    if day in DAYS:
        return DAYS.index(day)
    if _NUMBERED_DAY.fullmatch(day):
        raise ValueError(f"BYDAY={day}: numbered days (1MO, -1FR) belong to monthly and yearly "
                         "rules, which are not supported")
    raise ValueError(f"BYDAY: {day!r} is not a day; use MO, TU, WE, TH, FR, SA or SU, "
                     "separated by commas")


def _ical(wall: datetime) -> str:
    return f"{wall:%Y%m%dT%H%M%S}"


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"{moment} has no time zone: pass a timezone-aware datetime")
    return moment.astimezone(UTC)


def _moment(wall: datetime, zone: ZoneInfo) -> datetime:
    """Where a wall-clock time falls on the timeline, in UTC: a time the clock shows
    twice at its first showing, a time it skips at the first moment after the gap."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In a gap fold=0 reads the time with the offset from before the jump, which lands
    # after the jump, and fold=1 with the offset from after it, which lands before.
    return _jump(wall.replace(tzinfo=zone, fold=1).astimezone(UTC), first, zone)


def _wall_after(moment: datetime, zone: ZoneInfo) -> datetime:
    """The earliest wall-clock time that `_moment` places after `moment`."""
    local = moment.astimezone(zone)
    if not local.fold:
        return local.replace(tzinfo=None) + _JUST_AFTER
    # In the repeated hour every time of the fold already fell, at its first showing;
    # the next is the end of the fold: the first showing's reading at the jump back.
    second = local.replace(microsecond=0)
    first = second.replace(fold=0)
    return first.replace(tzinfo=None) + (_jump(first.astimezone(UTC), second, zone) - first)


def _jump(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The moment in (before, after] at which the zone's offset changes to the one it
    has at `after`: a bisection over whole seconds, as tz data's changes are."""
    offset = after.astimezone(zone).utcoffset()
    while after - before > _SECOND:
        middle = before + _SECOND * ((after - before) // _SECOND // 2)
        if middle.astimezone(zone).utcoffset() == offset:
            after = middle
        else:
            before = middle
    return after
