"""VAPIX time.cgi (the Time API, id time-service) on a host device with a
real chronyd: listed by API discovery (as the axis library reads it), the
date and time read by a viewer, time zones set by an operator (IANA, POSIX
alone, reset) and followed by the system's time zone file, the clock set by
hand only with Custom date and time; bad input refused in AXIS's error shape
with nothing changed, and each method kept to its role."""

from __future__ import annotations

import asyncio
import datetime
import os
import subprocess
from typing import Any

import httpx

from herald.access import Level
from herald.system import contract as system
from tests.clock.conftest import TimedDevice
from tests.conftest import wait_until
from tests.webadmin.axis_client import connect

TIME = "/axis-cgi/time.cgi"
INVALID, MISSING = 2104, 2103  # the newer APIs' error codes


def call(device: TimedDevice, role: str, method: str, **params: Any) -> dict[str, Any]:
    with device.stack.vapix(device.stack.accounts[role]) as client:
        reply = client.post(TIME, json={"apiVersion": "1.0", "method": method,
                                        "params": params})
    assert reply.status_code in (200, 403), reply.text
    return reply.json()


def date_in(zone_file: str, when: str) -> str:
    """What glibc's `date` says the time zone `zone_file` calls `when`."""
    return subprocess.run(["date", "-d", when, "+%H:%M %Z"], env={**os.environ, "TZ": zone_file},
                          capture_output=True, text=True, check=True).stdout.strip()


def test_discovery_lists_the_time_api(timed: TimedDevice) -> None:
    device = asyncio.run(connect(timed.stack.http_url, timed.stack.accounts["viewer"]))
    assert "time-service" in set(device.vapix.api_discovery)
    assert call(timed, "viewer", "getSupportedVersions")["data"] == {"apiVersions": ["1.0"]}


def test_a_viewer_reads_the_date_and_time(timed: TimedDevice) -> None:
    data = call(timed, "viewer", "getDateTimeInfo")["data"]
    device_time = datetime.datetime.fromisoformat(data["dateTime"].replace("Z", "+00:00"))
    assert abs(device_time - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(seconds=5)
    assert data["timeZone"] == "Etc/UTC" and data["localDateTime"].endswith("+00:00")
    assert data["maxYearSupported"] == 2037
    refused = call(timed, "viewer", "setTimeZone", timeZone="Europe/Stockholm")
    assert refused["error"]["code"] == 2105  # forbidden
    assert call(timed, "viewer", "getAll")["data"]["timeZone"] == "Etc/UTC"


def test_an_operator_sets_the_time_zone(timed: TimedDevice) -> None:
    localtime = str(timed.time_dir / "localtime")
    timed.params.update({system.TIME_ZONE_FROM_DHCP: "yes"}, Level.ADMIN)
    assert call(timed, "operator", "setTimeZone", timeZone="America/New_York") == {
        "apiVersion": "1.0", "method": "setTimeZone", "data": {}}
    assert timed.params.snapshot().get(system.TIME_ZONE_FROM_DHCP) == "no"  # DHCP's no more
    data = call(timed, "viewer", "getDateTimeInfo")["data"]
    assert data["timeZone"] == "America/New_York"
    assert data["localDateTime"][-6:] in ("-05:00", "-04:00")
    wait_until(lambda: date_in(localtime, "2026-07-01 12:00Z") == "08:00 EDT",
               timeout=30, what="the system's time zone to be New York's")

    # A POSIX rule alone: the system's zone file holds it, as glibc reads it.
    assert "error" not in call(timed, "operator", "setPosixTimeZone",
                               posixTimeZone="CET-1CEST,M3.5.0,M10.5.0/3")
    data = call(timed, "viewer", "getAll")["data"]
    assert (data["timeZone"], data["posixTimeZone"], data["timeZoneSource"]) == (
        "", "CET-1CEST,M3.5.0,M10.5.0/3", "POSIX")
    wait_until(lambda: date_in(localtime, "2026-07-01 12:00Z") == "14:00 CEST",
               timeout=30, what="the system's time zone to be the POSIX rule")
    assert date_in(localtime, "2026-01-01 12:00Z") == "13:00 CET"

    assert "error" not in call(timed, "operator", "resetTimeZone")
    assert call(timed, "viewer", "getDateTimeInfo")["data"]["timeZone"] == "Etc/UTC"
    wait_until(lambda: date_in(localtime, "2026-07-01 12:00Z") == "12:00 UTC",
               timeout=30, what="the system's time zone to be UTC again")


def test_bad_time_zones_are_refused_and_change_nothing(timed: TimedDevice) -> None:
    for method, params, code, words in (
            ("setTimeZone", {"timeZone": "Mars/Olympus"}, INVALID, "timeZone: must be a time"),
            ("setTimeZone", {"timeZone": 5}, INVALID, "timeZone must be a string"),
            ("setTimeZone", {}, MISSING, "timeZone is required"),
            ("setPosixTimeZone", {"posixTimeZone": "CET+99"}, INVALID, "posixTimeZone: must be"),
            ("setDateTime", {"dateTime": "yesterday"}, INVALID, "dateTime must be a date")):
        error = call(timed, "operator", method, **params).get("error", {})
        assert error.get("code") == code, (method, params, error)
        assert error["message"].startswith(words), error
    data = call(timed, "viewer", "getAll")["data"]
    assert (data["timeZone"], data["posixTimeZone"]) == ("Etc/UTC", "UTC0")


def test_the_clock_is_set_by_hand_only_with_custom_date_and_time(timed: TimedDevice) -> None:
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).replace(
        microsecond=0)
    text = later.isoformat().replace("+00:00", "Z")
    error = call(timed, "operator", "setDateTime", dateTime=text)["error"]
    assert error["code"] == INVALID and "synchronizes with NTP" in error["message"]
    assert timed.client.chronyc("-c", "manual", "list").strip() == ""

    timed.params.update({system.SYNC_SOURCE: system.SYNC_NONE}, Level.ADMIN)
    assert "error" not in call(timed, "operator", "setDateTime", dateTime=text)
    # chronyd took the time as its reference: its clock an hour behind it.
    sample = timed.client.chronyc("-c", "manual", "list").splitlines()
    assert len(sample) == 1 and abs(float(sample[0].split(",")[3]) + 3600) < 60, sample


def test_time_cgi_needs_an_account(timed: TimedDevice) -> None:
    with httpx.Client(base_url=timed.stack.http_url) as anonymous:
        reply = anonymous.post(TIME, json={"apiVersion": "1.0", "method": "getDateTimeInfo"})
    assert reply.status_code == 401
