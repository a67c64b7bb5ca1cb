"""VAPIX logs and reports: systemlog.cgi, accesslog.cgi, serverreport.cgi."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald.system import logs
from herald_web.celery import outcome
from herald_web.system.tasks import server_report
from herald_web.system.views import REPORT_TIMEOUT, report_download
from herald_web.vapix.registry import cgi
from herald_web.vapix.replies import arguments, text


@cgi("systemlog.cgi", Level.ADMIN)
def systemlog(request: HttpRequest) -> HttpResponse:
    return text(logs.read(settings.ENVIRONMENT, logs.SYSTEM, arguments(request).get("text", "")))


@cgi("accesslog.cgi", Level.ADMIN)
def accesslog(request: HttpRequest) -> HttpResponse:
    return text(logs.read(settings.ENVIRONMENT, logs.ACCESS))


@cgi("serverreport.cgi", Level.ADMIN)
async def serverreport(request: HttpRequest) -> HttpResponse:
    mode = arguments(request).get("mode", "text")
    if mode == "text":
        return text(await outcome(server_report.delay("text"), REPORT_TIMEOUT))
    if mode in ("zip", "zip_with_image", "tar_all"):
        return await report_download()
    return text(f"Error: mode must be text or zip, not {mode[:20]!r}\n", status=400)
