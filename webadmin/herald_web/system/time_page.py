"""System > Date and time: the device's clock and its sync state (as Status
shows it), the Time.* settings, Custom date and time, and Device location. The page stores
parameters only (their types refuse bad servers and time zones, naming the
field); herald-system applies them (firmware/herald/system/time_settings.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald.params import ParamError
from herald.system import contract as system
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.device import bus, params
from herald_web.system import plain
from herald_web.system.time_api import now, parse_date_time, set_clock, values
from herald_web.ui import nav
from herald_web.vapix.jsonapi import JsonApiError

SETTINGS = system.TIME_SETTINGS  # in the manual's order: synchronization, servers, time zone
DATE_TIME = "dateTime"  # the Custom date and time field


def _set_clock(request: HttpRequest) -> None:
    try:
        when = parse_date_time(request.POST.get(DATE_TIME, ""), "Date and time")
    except JsonApiError as exc:
        messages.error(request, f"The clock was not set: {exc}.")
        return
    problem = set_clock(when, request.user.get_username())
    if problem:
        messages.error(request, f"The clock was not set: {problem}")
    else:
        messages.success(request, f"Date and time set to {when.isoformat()}.")


def _save(request: HttpRequest) -> None:
    snapshot = params().snapshot()
    changes = {name: request.POST[name] for name in (*SETTINGS, *system.LOCATION)
               if name in request.POST and request.POST[name] != snapshot.get(name)}
    try:
        changed = apply_params(changes, Level.ADMIN, request.user.get_username())
    except ParamError as exc:
        nice = snapshot.tree.resolve(exc.name).definition.param.nice_name or exc.name
        messages.error(request, f"Nothing was saved: {nice} ({exc.name}) {exc.reason}.")
    else:
        messages.success(request, f"Saved: {', '.join(changed)}." if changed else "No changes.")


@page(Level.ADMIN)
def time_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("action") == "set-time":
            _set_clock(request)
        else:
            _save(request)
        return redirect("system:time")
    snapshot = params().snapshot()
    rows, location = ([plain.row(snapshot.tree.resolve(name), snapshot.get(name),
                                 name.split(".", 1)[0]) for name in names]
                      for names in (SETTINGS, system.LOCATION))
    raw = bus().state().get(system.TIME)
    return render(request, "system/time.html", {
        "section": "system", "page_key": nav.system_page("time"), "rows": rows,
        "location": location,
        "now": now(values()), "time": system.TimeSync.from_dict(raw) if raw else None,
        "custom": snapshot.get(system.SYNC_SOURCE) == system.SYNC_NONE,
    })
