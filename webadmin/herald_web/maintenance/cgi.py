"""VAPIX restart.cgi, factorydefault.cgi (keeps the network settings),
hardfactorydefault.cgi: each answers, then acts; and firmwaremanagement.cgi
(fwmgr_cgi.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald_web.maintenance import fwmgr_cgi, tasks
from herald_web.vapix.registry import cgi
from herald_web.vapix.replies import html

PAGE = ('<html><head><meta http-equiv="refresh" content="90;URL=/"></head>'
        "<body>{}</body></html>\n")
__all__ = ["fwmgr_cgi"]  # registers firmwaremanagement.cgi


@cgi("restart.cgi", Level.ADMIN)
def restart(request: HttpRequest) -> HttpResponse:
    tasks.schedule_restart(request.user.username)
    return html(PAGE.format("Restarting."))


@cgi("factorydefault.cgi", Level.ADMIN)
def factorydefault(request: HttpRequest) -> HttpResponse:
    tasks.schedule_reset(False, request.user.username)
    return html(PAGE.format("Restoring factory default settings (the network settings stay)."))


@cgi("hardfactorydefault.cgi", Level.ADMIN)
def hardfactorydefault(request: HttpRequest) -> HttpResponse:
    tasks.schedule_reset(True, request.user.username)
    return html(PAGE.format("Restoring factory default settings."))
