"""VAPIX logs and reports: systemlog.cgi, accesslog.cgi, serverreport.cgi."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald.system import logs
from herald_web.celery import WorkerUnavailable, ask_worker
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
    try:
        if mode == "text":
            return text(await ask_worker(server_report, "text", timeout=REPORT_TIMEOUT))
        if mode in ("zip", "zip_with_image", "tar_all"):
            return await report_download()
    except WorkerUnavailable as exc:
        return text(f"Error: the server report cannot be made: {exc}.\n", status=503)
    return text(f"Error: mode must be text or zip, not {mode[:20]!r}\n", status=400)
