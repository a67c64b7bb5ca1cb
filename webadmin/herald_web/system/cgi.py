"""VAPIX logs and reports (systemlog.cgi, accesslog.cgi, serverreport.cgi,
debug/debug.tgz: the crash report and network traces), whether the device
is ready (systemready.cgi), its date and time (time.cgi), the remote
syslog servers (remotesyslog.cgi) and SIP (/vapix/call, the Call service)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald.system import logs
from herald.system.contract import SYSTEM_LOG_TEXT_CHARS
from herald_web import health
from herald_web.accounts.access import root_exists
from herald_web.celery import WorkerUnavailable, ask_worker
from herald_web.system import call_service, remote_syslog_api, system_log, time_api, trace
from herald_web.system.report import TGZ, ZIP
from herald_web.system.tasks import server_report, start_trace
from herald_web.system.views import REPORT_TIMEOUT, TRACE_START_TIMEOUT, report_download, trace_file
from herald_web.vapix.discovery import Api, offer
from herald_web.vapix.jsonapi import JsonApi, JsonApiError
from herald_web.vapix.registry import cgi
from herald_web.vapix.replies import arguments, quote, text

offer(Api("systemready", "System Ready", "1.0"))
offer(Api("time-service", "Time API", "1.0"))
offer(Api("remote-syslog", "Remote Syslog", "1.0"))
system_ready = JsonApi(versions=("1.0",))
MAX_WAIT_SECONDS = 60
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
UPTIME = Path("/proc/uptime")


@cgi("time.cgi", Level.VIEWER)  # each method has its role (time_api.py)
def time_cgi(request: HttpRequest) -> HttpResponse:
    return time_api.api.handle(request)


@cgi("remotesyslog.cgi", Level.ADMIN)
def remotesyslog(request: HttpRequest) -> HttpResponse:
    return remote_syslog_api.api.handle(request)


@cgi("/vapix/call", Level.OPERATOR)  # each method has its role (call_service/)
def call_cgi(request: HttpRequest) -> HttpResponse:
    return call_service.api.answer(request, call_service.request.read)


@cgi("systemlog.cgi", Level.ADMIN)
def systemlog(request: HttpRequest) -> HttpResponse:
    """The system log with the journal's kernel and system services (system_log.py)."""
    wanted = arguments(request).get("text", "")
    if len(wanted) > SYSTEM_LOG_TEXT_CHARS:
        return text(f"Error: text is at most {SYSTEM_LOG_TEXT_CHARS} characters\n", status=400)
    return text(system_log.read(wanted))


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
            return await report_download(ZIP)
    except WorkerUnavailable as exc:
        return text(f"Error: the server report cannot be made: {exc}.\n", status=503)
    return text(f"Error: mode must be text or zip, not {mode[:20]!r}\n", status=400)


@cgi("debug/debug.tgz", Level.ADMIN)
async def debug(request: HttpRequest) -> HttpResponse:
    """The crash report; with cmd=pcapdump&duration=S[&interface=I] a network
    trace of S seconds instead, answered with the pcap once it ends."""
    args = arguments(request)
    cmd = args.get("cmd")
    try:
        if cmd is None:
            return await report_download(TGZ)
        if cmd == "pcapdump":
            return await _pcapdump(request, args.get("duration", ""), args.get("interface", "any"))
    except WorkerUnavailable as exc:
        return text(f"Error: {exc}.\n", status=503)
    except trace.TraceError as exc:
        return text(f"Error: {exc}.\n", status=400)
    return text(f"Error: cmd must be pcapdump or absent, not {quote(cmd, 20)!r}\n", status=400)


async def _pcapdump(request: HttpRequest, duration: str, interface: str) -> HttpResponse:
    seconds = trace.parse_duration(duration)
    interface = trace.parse_interface(interface)
    answer = await ask_worker(start_trace, seconds, request.user.get_username(), interface,
                              timeout=TRACE_START_TIMEOUT)
    if not answer["ok"]:
        return text(f"Error: {answer['message']}.\n", status=409)
    try:
        async with asyncio.timeout(seconds + trace.CLAIM_MARGIN_SECONDS):
            ended = await trace.ended(answer["id"])
    except TimeoutError:
        ended = None
    if ended is not None and ended.stage == trace.FAILED:
        return text(f"Error: the network trace failed: {ended.message}\n", status=500)
    download = await sync_to_async(trace_file)() if ended is not None else None
    if download is None:
        return text("Error: the network trace was lost (replaced or interrupted).\n",
                    status=500)
    return download


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
