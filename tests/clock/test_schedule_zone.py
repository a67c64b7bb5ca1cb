"""The events service's schedules follow the device's time zone as System >
Date and time sets it (herald.timezone.zone, which its _zone asks): an IANA
name, a POSIX rule set alone (VAPIX setPosixTimeZone) the same across its
DST changes, and UTC for a name this host does not know."""

from __future__ import annotations

from datetime import UTC, datetime

from herald.events.schedule import Schedule
from herald.system import contract as system
from herald.timezone import zone

DAILY_AT_6PM = "DTSTART:19700101T180000\nDTEND:19700101T180100\nRRULE:FREQ=DAILY"


def six_pm_after(values: dict[str, str], after: datetime) -> datetime:
    return Schedule.parse(DAILY_AT_6PM).next_change(after, zone(values)).astimezone(UTC)


def test_a_daily_schedule_follows_the_devices_time_zone() -> None:
    stockholm = {system.TIME_ZONE: "Europe/Stockholm", system.POSIX_TIME_ZONE: "UTC0"}
    rule_alone = {system.TIME_ZONE: "", system.POSIX_TIME_ZONE: "CET-1CEST,M3.5.0,M10.5.0/3"}
    # 18:00 in UTC: 17:00 in winter time (CET), 16:00 in summer time (CEST, from
    # 29 March to 25 October 2026).
    for month, day, utc_hour in ((1, 15, 17), (3, 28, 17), (3, 29, 16), (7, 1, 16),
                                 (10, 24, 16), (10, 25, 17)):
        noon = datetime(2026, month, day, 12, tzinfo=UTC)
        expected = noon.replace(hour=utc_hour)
        assert six_pm_after(stockholm, noon) == expected
        assert six_pm_after(rule_alone, noon) == expected
    unknown = {system.TIME_ZONE: "Nowhere/Atlantis", system.POSIX_TIME_ZONE: "UTC0"}
    assert six_pm_after(unknown, datetime(2026, 7, 1, 12, tzinfo=UTC)) == datetime(
        2026, 7, 1, 18, tzinfo=UTC)
