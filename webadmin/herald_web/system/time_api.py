"""/axis-cgi/time.cgi (AXIS's Time API, id time-service): the device's date
and time and its time zone, as the System > Date and time page shows and
sets them. Time zones are Time.* parameters, checked by their types (nothing
is stored when one is refused; a zone set here is no longer DHCP's); the
clock is set by herald-system."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest

from herald.access import Level
from herald.params import ParamError
from herald.system import contract as system
from herald.timezone import zone
from herald_web.accounts.parameters import apply_params
from herald_web.device import call, params
from herald_web.vapix.json_fields import pick
from herald_web.vapix.jsonapi import MODERN, JsonApi, JsonApiError

api = JsonApi(versions=("1.0",), errors=MODERN)
MAX_YEAR = 2037  # as AXIS devices say: the year 2038 problem of 32-bit clocks


def now(values: dict[str, str]) -> dict[str, Any]:
    """The device's date and time, in UTC and in its time zone."""
    utc = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    local = utc.astimezone(zone(values))
    return {"dateTime": utc.isoformat().replace("+00:00", "Z"),
            "localDateTime": local.isoformat(), "maxYearSupported": MAX_YEAR,
            "timeZone": values[system.TIME_ZONE],
            "posixTimeZone": values[system.POSIX_TIME_ZONE],
            "dstEnabled": bool(local.dst())}


def values() -> dict[str, str]:
    snapshot = params().snapshot()
    return {name: snapshot.get(name) for name in system.TIME_SETTINGS}


def store(request: HttpRequest, changes: dict[str, str], field: str) -> None:
    """The changes as one update (the Time parameters are the administrator's;
    the method's own role let the caller here), or a refusal naming `field`."""
    try:
        apply_params(changes, Level.ADMIN, request.user.get_username())
    except ParamError as exc:
        raise JsonApiError("invalid", f"{field}: {exc.reason}") from None


def required(body: dict[str, Any], name: str) -> str:
    value = pick(body, name, str)
    if value is None:
        raise JsonApiError("missing", f"{name} is required")
    return value


@api.method("getDateTimeInfo", Level.VIEWER)
def get_date_time_info(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return now(values())


@api.method("getAll", Level.VIEWER)
def get_all(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    current = values()
    return {**now(current), "timeZoneSource": "IANA" if current[system.TIME_ZONE] else "POSIX"}


@api.method("setTimeZone", Level.OPERATOR)
def set_time_zone(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    store(request, {system.TIME_ZONE: required(body, "timeZone"),
                    system.TIME_ZONE_FROM_DHCP: "no"}, "timeZone")
    return {}


@api.method("setPosixTimeZone", Level.OPERATOR)
def set_posix_time_zone(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """A POSIX rule alone: the IANA name no longer applies."""
    pick(body, "enableDst", bool)  # the rule says whether there is DST
    store(request, {system.POSIX_TIME_ZONE: required(body, "posixTimeZone"),
                    system.TIME_ZONE: "", system.TIME_ZONE_FROM_DHCP: "no"}, "posixTimeZone")
    return {}


@api.method("resetTimeZone", Level.OPERATOR)
def reset_time_zone(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    store(request, {system.TIME_ZONE: system.DEFAULT_TIME_ZONE,
                    system.POSIX_TIME_ZONE: system.DEFAULT_POSIX_TIME_ZONE,
                    system.TIME_ZONE_FROM_DHCP: "no"}, "timeZone")
    return {}


def parse_date_time(text: str, field: str) -> datetime.datetime:
    """ISO 8601 with its offset ("2026-12-05T17:00:00Z"), within MAX_YEAR."""
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise JsonApiError("invalid", f"{field} must be a date and time such as "
                                      "2026-12-05T17:00:00Z") from None
    if when.tzinfo is None:
        raise JsonApiError("invalid", f"{field} needs a UTC offset or Z")
    if not 1970 <= when.astimezone(datetime.UTC).year <= MAX_YEAR:
        raise JsonApiError("invalid", f"{field} must be between 1970 and {MAX_YEAR}")
    return when


def set_clock(when: datetime.datetime, by: str) -> str:
    """Ask herald-system to set the clock; '' when done, else why not."""
    answer = call(system.SERVICE, system.SET_TIME, utc=when.isoformat(), by=by)
    return "" if answer.get("ok") else answer.get("message", "The clock was not set.")


@api.method("setDateTime", Level.OPERATOR)
def set_date_time(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    problem = set_clock(parse_date_time(required(body, "dateTime"), "dateTime"),
                        request.user.get_username())
    if problem:
        raise JsonApiError("invalid", f"dateTime: {problem}")
    return {}
