"""VAPIX logs and reports (systemlog.cgi, accesslog.cgi, serverreport.cgi)
and whether the device is ready (systemready.cgi)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald.system import logs
from herald_web import health
from herald_web.accounts.access import root_exists
from herald_web.celery import WorkerUnavailable, ask_worker
from herald_web.system.tasks import server_report
from herald_web.system.views import REPORT_TIMEOUT, report_download
from herald_web.vapix.discovery import Api, offer
from herald_web.vapix.jsonapi import JsonApi, JsonApiError
from herald_web.vapix.registry import cgi
from herald_web.vapix.replies import arguments, text

offer(Api("systemready", "System Ready", "1.0"))
system_ready = JsonApi(versions=("1.0",))
MAX_WAIT_SECONDS = 60
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
UPTIME = Path("/proc/uptime")


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


@system_ready.method("systemready", Level.ANONYMOUS)
def systemready(request: HttpRequest, args: dict[str, Any]) -> dict[str, Any]:
    """Whether every service of the device answers ("yes" or "no"), waiting up
    to `timeout` seconds for it; whether the root password still has to be
    set; how long the device has been up, and this boot's id."""
    timeout = args.get("timeout", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
            0 <= timeout <= MAX_WAIT_SECONDS):
        raise JsonApiError("invalid", f"params.timeout is 0 to {MAX_WAIT_SECONDS} seconds")
    deadline = time.monotonic() + timeout
    while (ready := not health.failing()) is False and time.monotonic() < deadline:
        time.sleep(1)  # the device's services are still starting: look again
    return {"systemready": "yes" if ready else "no", "needsetup": "no" if root_exists() else "yes",
            "uptime": str(int(float(UPTIME.read_text().split()[0]))),
            "bootid": BOOT_ID.read_text().strip()}


@cgi("systemready.cgi", Level.ANONYMOUS, first_visit=True)
def systemready_cgi(request: HttpRequest) -> HttpResponse:
    return system_ready.handle(request)
