"""Schedules and pulses as a user sees them: when a schedule holds, when it next
starts or ends, when a pulse fires, in real time zones across DST changes, and
what a person is told about a schedule the device cannot use."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from herald.events.schedule import DEFAULTS, Interval, Pulse, Schedule

STOCKHOLM = ZoneInfo("Europe/Stockholm")  # 2026-03-29 02:00->03:00, 2026-10-25 03:00->02:00
NEW_YORK = ZoneInfo("America/New_York")  # 2026-03-08 02:00->03:00, 2026-11-01 02:00->01:00

DAILY_AT_6PM = "DTSTART:19700101T180000\nDTEND:19700101T180100\nRRULE:FREQ=DAILY"
OFFICE_HOURS = ("DTSTART:19700105T080000\nDTEND:19700105T170000\n"
                "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
NIGHT = "DTSTART:19700101T220000\nDTEND:19700102T060000\nRRULE:FREQ=DAILY"
WEEKEND = "DTSTART:19700102T180000\nDTEND:19700105T060000\nRRULE:FREQ=WEEKLY"  # Fri 18 - Mon 06


def local(zone: ZoneInfo, *fields: int, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=zone, fold=fold)


def interval(text: str) -> Interval:
    schedule = Schedule.parse(text)
    assert isinstance(schedule, Interval)
    return schedule


def pulse(text: str) -> Pulse:
    schedule = Schedule.parse(text)
    assert isinstance(schedule, Pulse)
    return schedule


def series(method: Callable[[datetime, ZoneInfo], datetime], after: datetime, zone: ZoneInfo,
           count: int) -> list[datetime]:
    """The next `count` changes or fires, each asked after the one before, in UTC.
    (Compared with UTC, a wall-clock time in the fold is told from its second showing.)"""
    found = []
    for _ in range(count):
        after = method(after, zone)
        found.append(after)
    return found


def test_daily_at_6pm_from_the_manual_holds_for_the_minute_from_18_00():
    daily = interval(DAILY_AT_6PM)
    assert daily.active(local(STOCKHOLM, 2026, 6, 1, 18, 0), STOCKHOLM)
    assert daily.active(local(STOCKHOLM, 2026, 6, 1, 18, 0, 59), STOCKHOLM)
    assert not daily.active(local(STOCKHOLM, 2026, 6, 1, 17, 59, 59), STOCKHOLM)
    assert not daily.active(local(STOCKHOLM, 2026, 6, 1, 18, 1), STOCKHOLM)
    assert series(daily.next_change, local(STOCKHOLM, 2026, 6, 1, 12, 0), STOCKHOLM, 3) == [
        local(STOCKHOLM, 2026, 6, 1, 18, 0), local(STOCKHOLM, 2026, 6, 1, 18, 1),
        local(STOCKHOLM, 2026, 6, 2, 18, 0)]


def test_results_are_in_utc_and_any_aware_time_may_be_asked():
    daily = interval(DAILY_AT_6PM)
    change = daily.next_change(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), STOCKHOLM)
    assert change.tzinfo is UTC and change == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert daily.active(datetime(2026, 6, 1, 16, 0, 30, tzinfo=UTC), STOCKHOLM)
    assert not daily.active(datetime(2026, 6, 1, 16, 0, 30, tzinfo=UTC), NEW_YORK)
    with pytest.raises(ValueError, match="timezone-aware"):
        daily.active(datetime(2026, 6, 1, 18, 0), STOCKHOLM)


@pytest.mark.parametrize(("moment", "expected"), [
    ((2026, 6, 1, 8, 0), True),  # Monday
    ((2026, 6, 1, 7, 59, 59), False),
    ((2026, 6, 3, 12, 0), True),  # Wednesday
    ((2026, 6, 5, 16, 59), True),  # Friday
    ((2026, 6, 5, 17, 0), False),
    ((2026, 6, 6, 10, 0), False),  # Saturday
    ((2026, 6, 7, 10, 0), False),  # Sunday
])
def test_office_hours_hold_on_weekdays_only(moment, expected):
    assert interval(OFFICE_HOURS).active(local(STOCKHOLM, *moment), STOCKHOLM) is expected


def test_after_office_hours_on_friday_the_next_change_is_monday_morning():
    office = interval(OFFICE_HOURS)
    assert series(office.next_change, local(STOCKHOLM, 2026, 6, 5, 17, 0), STOCKHOLM, 2) == [
        local(STOCKHOLM, 2026, 6, 8, 8, 0), local(STOCKHOLM, 2026, 6, 8, 17, 0)]


@pytest.mark.parametrize(("moment", "expected"), [
    ((2026, 6, 1, 21, 59), False),
    ((2026, 6, 1, 22, 0), True),
    ((2026, 6, 1, 23, 59), True),
    ((2026, 6, 2, 0, 0), True),
    ((2026, 6, 2, 5, 59, 59), True),
    ((2026, 6, 2, 6, 0), False),
    ((2026, 6, 2, 12, 0), False),
])
def test_an_interval_across_midnight_holds_through_the_night(moment, expected):
    assert interval(NIGHT).active(local(STOCKHOLM, *moment), STOCKHOLM) is expected


@pytest.mark.parametrize(("moment", "expected"), [
    ((2026, 6, 5, 17, 59), False),  # Friday
    ((2026, 6, 5, 18, 0), True),
    ((2026, 6, 6, 12, 0), True),  # Saturday
    ((2026, 6, 7, 23, 59), True),  # Sunday
    ((2026, 6, 8, 5, 59), True),  # Monday
    ((2026, 6, 8, 6, 0), False),
    ((2026, 6, 10, 12, 0), False),  # Wednesday
])
def test_an_interval_across_the_weekend_holds_from_friday_evening_to_monday(moment, expected):
    assert interval(WEEKEND).active(local(STOCKHOLM, *moment), STOCKHOLM) is expected


def test_an_interval_across_the_weekend_changes_twice_a_week():
    weekend = interval(WEEKEND)
    assert series(weekend.next_change, local(STOCKHOLM, 2026, 6, 3, 12, 0), STOCKHOLM, 3) == [
        local(STOCKHOLM, 2026, 6, 5, 18, 0), local(STOCKHOLM, 2026, 6, 8, 6, 0),
        local(STOCKHOLM, 2026, 6, 12, 18, 0)]


def test_every_other_week_counts_weeks_from_dtstart_and_dtstart_counts_only_on_a_picked_day():
    # DTSTART is Wednesday 2026-01-07; the rule picks Mondays and Thursdays.
    fortnightly = interval("DTSTART:20260107T100000\nDTEND:20260107T110000\n"
                           "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
    starts = series(fortnightly.next_change, local(STOCKHOLM, 2026, 1, 1), STOCKHOLM, 8)[::2]
    assert starts == [local(STOCKHOLM, 2026, 1, 8, 10, 0), local(STOCKHOLM, 2026, 1, 19, 10, 0),
                      local(STOCKHOLM, 2026, 1, 22, 10, 0), local(STOCKHOLM, 2026, 2, 2, 10, 0)]


def test_the_shipped_schedules_read_back_as_written_and_mean_what_they_say():
    presets = {preset.name: interval(preset.ical) for preset in DEFAULTS}
    assert [preset.id for preset in DEFAULTS] == [
        "com.axis.schedules.office_hours", "com.axis.schedules.after_hours",
        "com.axis.schedules.weekdays", "com.axis.schedules.weekends"]
    assert all(Schedule.parse(p.ical).to_ical() == p.ical for p in DEFAULTS)
    tuesday_9, tuesday_3am = local(STOCKHOLM, 2026, 6, 2, 9, 0), local(STOCKHOLM, 2026, 6, 2, 3, 0)
    saturday_9 = local(STOCKHOLM, 2026, 6, 6, 9, 0)
    assert {name: [schedule.active(moment, STOCKHOLM)
                   for moment in (tuesday_9, tuesday_3am, saturday_9)]
            for name, schedule in presets.items()} == {
        "Office Hours": [True, False, False],
        "After Hours": [False, True, False],
        "Weekdays": [True, True, False],
        "Weekends": [False, False, True],
    }


@pytest.mark.parametrize(("text", "after", "expected"), [
    ("DTSTART:19700101T000000\nRRULE:FREQ=SECONDLY;INTERVAL=1",
     (2026, 6, 1, 12, 0, 0, 500000), [(12, 0, 1), (12, 0, 2), (12, 0, 3)]),
    ("DTSTART:19700101T000000\nRRULE:FREQ=SECONDLY;INTERVAL=10",
     (2026, 6, 1, 12, 0, 5), [(12, 0, 10), (12, 0, 20), (12, 0, 30)]),
    ("DTSTART:19700101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=5",
     (2026, 6, 1, 12, 3), [(12, 5, 0), (12, 10, 0), (12, 15, 0)]),
    ("DTSTART:19700101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=5",
     (2026, 6, 1, 12, 5), [(12, 10, 0), (12, 15, 0), (12, 20, 0)]),
    ("DTSTART:20260101T000730\nRRULE:FREQ=MINUTELY;INTERVAL=15",
     (2026, 6, 1, 12, 0), [(12, 7, 30), (12, 22, 30), (12, 37, 30)]),
    ("DTSTART:19700101T013000\nRRULE:FREQ=HOURLY;INTERVAL=2",
     (2026, 6, 1, 12, 0), [(13, 30, 0), (15, 30, 0), (17, 30, 0)]),
    ("DTSTART:20260601T140000\nRRULE:FREQ=HOURLY",  # not before DTSTART
     (2026, 6, 1, 9, 0), [(14, 0, 0), (15, 0, 0), (16, 0, 0)]),
])
def test_pulses_fire_every_n_seconds_minutes_or_hours_aligned_to_dtstart(text, after, expected):
    fired = series(pulse(text).next_fire, local(STOCKHOLM, *after), STOCKHOLM, 3)
    assert fired == [local(STOCKHOLM, 2026, 6, 1, *clock) for clock in expected]


def test_a_pulse_every_second_since_1970_answers_in_2999_at_once():
    every_second = pulse("DTSTART:19700101T000000\nRRULE:FREQ=SECONDLY;INTERVAL=1")
    assert every_second.next_fire(local(STOCKHOLM, 2999, 12, 31, 23, 59, 58), STOCKHOLM) == (
        local(STOCKHOLM, 2999, 12, 31, 23, 59, 59))


def test_a_pulse_limited_to_weekdays_skips_the_weekend():
    hourly = pulse("DTSTART:19700101T000000\nRRULE:FREQ=HOURLY;BYDAY=MO,TU,WE,TH,FR")
    assert series(hourly.next_fire, local(STOCKHOLM, 2026, 6, 5, 22, 30), STOCKHOLM, 3) == [
        local(STOCKHOLM, 2026, 6, 5, 23, 0), local(STOCKHOLM, 2026, 6, 8, 0, 0),
        local(STOCKHOLM, 2026, 6, 8, 1, 0)]


def test_a_dtend_equal_to_dtstart_makes_a_pulse_as_on_axis_devices():
    same = Schedule.parse("DTSTART:19700101T120000\nDTEND:19700101T120000\nRRULE:FREQ=DAILY")
    assert isinstance(same, Pulse)
    assert same.to_ical() == "DTSTART:19700101T120000\nRRULE:FREQ=DAILY"


def test_daily_at_6pm_stays_at_18_00_on_the_wall_clock_across_both_dst_changes():
    daily = interval(DAILY_AT_6PM)
    for zone, before, after in [(STOCKHOLM, (2026, 3, 28), (2026, 3, 29)),
                                (STOCKHOLM, (2026, 10, 24), (2026, 10, 25)),
                                (NEW_YORK, (2026, 3, 7), (2026, 3, 8)),
                                (NEW_YORK, (2026, 10, 31), (2026, 11, 1))]:
        starts = series(daily.next_change, local(zone, *before, 12, 0), zone, 4)[::2]
        assert [start.astimezone(zone).timetuple()[:5] for start in starts] == [
            (*before, 18, 0), (*after, 18, 0)]
        assert (starts[1] - starts[0]).total_seconds() in (23 * 3600, 25 * 3600)


@pytest.mark.parametrize(("zone", "day"), [(STOCKHOLM, (2026, 3, 29)), (NEW_YORK, (2026, 3, 8))])
def test_a_start_in_the_spring_gap_happens_when_the_gap_ends_and_keeps_its_length(zone, day):
    speaker_test = interval("DTSTART:19700101T023000\nDTEND:19700101T023100\nRRULE:FREQ=DAILY")
    assert series(speaker_test.next_change, local(zone, *day, 0, 0), zone, 2) == [
        local(zone, *day, 3, 0), local(zone, *day, 3, 1)]
    assert speaker_test.active(local(zone, *day, 3, 0, 30), zone)


def test_an_end_in_the_spring_gap_comes_when_the_gap_ends():
    early = interval("DTSTART:19700101T013000\nDTEND:19700101T023000\nRRULE:FREQ=DAILY")
    assert series(early.next_change, local(STOCKHOLM, 2026, 3, 29, 0, 0), STOCKHOLM, 2) == [
        local(STOCKHOLM, 2026, 3, 29, 1, 30), local(STOCKHOLM, 2026, 3, 29, 3, 0)]


def test_an_interval_that_ends_and_starts_again_inside_the_gap_does_not_flicker():
    almost_always = interval("DTSTART:19700101T022000\nDTEND:19700102T021000\nRRULE:FREQ=DAILY")
    assert almost_always.active(local(STOCKHOLM, 2026, 3, 29, 3, 0), STOCKHOLM)
    assert series(almost_always.next_change, local(STOCKHOLM, 2026, 3, 29, 1, 0), STOCKHOLM, 2) == [
        local(STOCKHOLM, 2026, 3, 30, 2, 10), local(STOCKHOLM, 2026, 3, 30, 2, 20)]


def test_the_night_the_clocks_go_forward_is_an_hour_shorter_and_ends_at_6_00():
    night = interval(NIGHT)
    start, end = series(night.next_change, local(STOCKHOLM, 2026, 3, 28, 12, 0), STOCKHOLM, 2)
    assert (start, end) == (local(STOCKHOLM, 2026, 3, 28, 22, 0), local(STOCKHOLM, 2026, 3, 29, 6))
    assert (end - start).total_seconds() == 7 * 3600


def test_pulses_in_the_spring_gap_fire_once_when_it_ends():
    quarterly = pulse("DTSTART:19700101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=15")
    assert series(quarterly.next_fire, local(STOCKHOLM, 2026, 3, 29, 1, 30), STOCKHOLM, 3) == [
        local(STOCKHOLM, 2026, 3, 29, 1, 45), local(STOCKHOLM, 2026, 3, 29, 3, 0),
        local(STOCKHOLM, 2026, 3, 29, 3, 15)]


def test_pulses_fire_once_for_each_wall_clock_time_of_the_autumn_fold():
    quarterly = pulse("DTSTART:19700101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=15")
    assert series(quarterly.next_fire, local(STOCKHOLM, 2026, 10, 25, 2, 30), STOCKHOLM, 3) == [
        datetime(2026, 10, 25, 0, 45, tzinfo=UTC),  # 02:45 summer time
        datetime(2026, 10, 25, 2, 0, tzinfo=UTC),  # 03:00 winter time, an hour and a quarter on
        datetime(2026, 10, 25, 2, 15, tzinfo=UTC)]
    assert quarterly.next_fire(local(STOCKHOLM, 2026, 10, 25, 2, 10, fold=1), STOCKHOLM) == (
        local(STOCKHOLM, 2026, 10, 25, 3, 0))


def test_an_hourly_pulse_in_new_york_strikes_1_00_once_in_november():
    hourly = pulse("DTSTART:19700101T000000\nRRULE:FREQ=HOURLY")
    assert series(hourly.next_fire, local(NEW_YORK, 2026, 10, 31, 23, 30), NEW_YORK, 3) == [
        datetime(2026, 11, 1, 4, 0, tzinfo=UTC), datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 7, 0, tzinfo=UTC)]


def test_a_start_in_the_autumn_fold_counts_at_its_first_showing():
    short = interval("DTSTART:19700101T023000\nDTEND:19700101T024500\nRRULE:FREQ=DAILY")
    first_2_35 = local(STOCKHOLM, 2026, 10, 25, 2, 35)
    second_2_35 = local(STOCKHOLM, 2026, 10, 25, 2, 35, fold=1)
    assert short.active(first_2_35, STOCKHOLM) and not short.active(second_2_35, STOCKHOLM)
    assert series(short.next_change, local(STOCKHOLM, 2026, 10, 25, 0, 0), STOCKHOLM, 3) == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 45, tzinfo=UTC),
        local(STOCKHOLM, 2026, 10, 26, 2, 30)]
    assert short.next_change(second_2_35, STOCKHOLM) == local(STOCKHOLM, 2026, 10, 26, 2, 30)


def test_an_interval_over_the_autumn_fold_holds_through_the_repeated_hour():
    over = interval("DTSTART:19700101T010000\nDTEND:19700101T040000\nRRULE:FREQ=DAILY")
    assert over.active(local(NEW_YORK, 2026, 11, 1, 1, 30, fold=1), NEW_YORK)
    start, end = series(over.next_change, local(NEW_YORK, 2026, 11, 1, 0, 0), NEW_YORK, 2)
    assert (end - start).total_seconds() == 4 * 3600


@pytest.mark.parametrize(("text", "canonical"), [
    ("dtstart:19700101T180000\r\ndtend:19700101T180100\r\nrrule:freq=daily;interval=1\r\n",
     DAILY_AT_6PM),
    ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:19700105T080000\nDTEND:19700105T170000\n"
     "RRULE:BYDAY=FR,TH,WE,TU,MO;FREQ=WEEKLY\nEND:VEVENT\nEND:VCALENDAR\n", OFFICE_HOURS),
    ("  DTSTART:19700101T000000 \n\n RRULE:FREQ=MINUTELY; INTERVAL=05 \n",
     "DTSTART:19700101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=5"),
])
def test_to_ical_gives_one_canonical_text_that_reads_back_the_same(text, canonical):
    schedule = Schedule.parse(text)
    assert schedule.to_ical() == canonical
    assert Schedule.parse(canonical) == schedule


GOOD_START = "DTSTART:19700101T180000\n"


@pytest.mark.parametrize(("text", "message"), [
    ("", "DTSTART is missing"),
    ("DTSTART:19700101T180000", "RRULE is missing"),
    (GOOD_START + "RRULE:FREQ=MONTHLY", "FREQ=MONTHLY is not supported: use SECONDLY"),
    (GOOD_START + "RRULE:FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not supported"),
    (GOOD_START + "RRULE:INTERVAL=2", "RRULE needs FREQ"),
    (GOOD_START + "RRULE:FREQ=WEEKLY;BYDAY=MO,XX", "'XX' is not a day; use MO, TU"),
    (GOOD_START + "RRULE:FREQ=WEEKLY;BYDAY=MO,,TU", "'' is not a day"),
    (GOOD_START + "RRULE:FREQ=WEEKLY;BYDAY=1MO", "numbered days"),
    (GOOD_START + "RRULE:FREQ=DAILY;INTERVAL=0", "INTERVAL must be from 1 to 9999, not 0"),
    (GOOD_START + "RRULE:FREQ=DAILY;INTERVAL=10000", "not 10000"),
    (GOOD_START + "RRULE:FREQ=DAILY;INTERVAL=-1", "INTERVAL=-1 is not a whole number"),
    (GOOD_START + "RRULE:FREQ=DAILY;INTERVAL=1.5", "INTERVAL=1.5 is not a whole number"),
    (GOOD_START + "RRULE:FREQ=DAILY;COUNT=3", "RRULE part COUNT is not supported"),
    (GOOD_START + "RRULE:FREQ=DAILY;UNTIL=20270101T000000", "RRULE part UNTIL is not supported"),
    (GOOD_START + "RRULE:FREQ=DAILY;FREQ=WEEKLY", "RRULE gives FREQ twice"),
    (GOOD_START + "RRULE:FREQ=DAILY;", "RRULE part '' is not KEY=VALUE"),
    (GOOD_START + "RRULE:FREQ=DAILY;INTERVAL=2;BYDAY=MO", "BYDAY cannot pick days"),
    ("DTSTART:19700101T220000\nDTEND:19700101T060000\nRRULE:FREQ=DAILY",
     "DTEND 19700101T060000 is not after DTSTART 19700101T220000; an interval across midnight "
     "ends on a later day, e.g. DTEND:19700102T060000"),
    ("DTSTART:19700101T180000\nDTEND:19700102T190000\nRRULE:FREQ=DAILY",
     "lasts 1 day, 1:00:00 but starts again after 1 day, 0:00:00"),
    ("DTSTART:19700102T180000\nDTEND:19700105T180000\nRRULE:FREQ=WEEKLY;BYDAY=MO,FR",
     "DTEND must come before the next start"),
    ("DTSTART:19700101T000000\nDTEND:19700101T000500\nRRULE:FREQ=HOURLY",
     "repeats DAILY or WEEKLY, not HOURLY; leave DTEND out"),
    ("DTSTART;TZID=Europe/Stockholm:19700101T180000\nRRULE:FREQ=DAILY",
     "DTSTART has parameters (TZID=Europe/Stockholm); times are the device's local time: "
     "write DTSTART:19700101T180000"),
    ("DTSTART:19700101T170000Z\nRRULE:FREQ=DAILY",
     "ends in Z); times are the device's local time: write DTSTART:19700101T170000"),
    ("DTSTART:19701301T000000\nRRULE:FREQ=DAILY", "is not a date and time like"),
    ("DTSTART:1970-01-01 18:00\nRRULE:FREQ=DAILY", "is not a date and time like"),
    ("DTSTART:18000101T000000\nRRULE:FREQ=DAILY", "DTSTART is in 1800: use a year from 1900"),
    (GOOD_START + "SUMMARY:Daily\nRRULE:FREQ=DAILY", "line 2: SUMMARY is not supported"),
    (GOOD_START + GOOD_START + "RRULE:FREQ=DAILY", "line 2: DTSTART is given twice"),
    (GOOD_START + "FREQ=DAILY", "line 2: 'FREQ=DAILY' is not NAME:VALUE"),
    (GOOD_START + "RRULE:FREQ=DAILY;BYDAY=" + ",".join(["MO"] * 20), "line 2 is 82 characters"),
    (GOOD_START * 8, "has 8 lines, at most 7"),
    ("X" * 1000, "1000 characters long"),
    ("DTSTART:19700101T180000\\nRRULE:FREQ=DAILY", "holds a literal \\n"),
    ("BEGIN:VEVENT\n" + GOOD_START + "RRULE:FREQ=DAILY", "needs END:VEVENT on the last line"),
])
def test_a_schedule_the_device_cannot_use_is_refused_with_what_to_write(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Schedule.parse(text)
