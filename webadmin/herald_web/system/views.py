"""System > Plain config and System > Logs (logs, server and crash reports,
network trace, remote system log: remote_syslog.py)."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.params import ParamError
from herald.system import logs
from herald.system.contract import SYSTEM_LOG_TEXT_CHARS
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.celery import WorkerUnavailable, ask_worker
from herald_web.device import params
from herald_web.system import plain, remote_syslog, system_log, trace
from herald_web.system.report import TGZ, ZIP
from herald_web.system.tasks import REPORTS, server_report, start_trace

REPORT_TIMEOUT = 300  # the crash report: "it can take several minutes"
TRACE_START_TIMEOUT = 30
PCAP = "application/vnd.tcpdump.pcap"
CONTENT_TYPES = {ZIP: "application/zip", TGZ: "application/gzip"}


@page(Level.ADMIN)
def plain_config(request: HttpRequest, group: str | None = None) -> HttpResponse:
    snapshot = params().snapshot()
    names = plain.groups(snapshot)
    if group is None:
        return redirect("system:plain-config-group", group=names[0])
    group = next((n for n in names if n.lower() == group.lower()), None)
    if group is None:
        raise Http404("no such parameter group")
    entries = [(r, v) for r, v in snapshot.readable(Level.ADMIN) if r.name.startswith(group + ".")]
    error: ParamError | None = None
    if request.method == "POST":
        changes = {}
        for resolved, value in entries:
            submitted = request.POST.get(resolved.name)
            if submitted is None or not plain.writable(resolved):
                continue
            if resolved.definition.secret:
                if submitted:
                    changes[resolved.name] = submitted
            elif submitted != value:
                changes[resolved.name] = submitted
        try:
            changed = apply_params(changes, Level.ADMIN, request.user.get_username())
        except ParamError as exc:
            error = exc
        else:
            messages.success(request, f"Saved: {', '.join(changed)}." if changed else "No changes.")
            return redirect("system:plain-config-group", group=group)
    rows = []
    for resolved, value in entries:
        shown = request.POST.get(resolved.name, value) if error else value
        reason = error.reason if error and error.name == resolved.name else ""
        rows.append(plain.row(resolved, shown, group, reason))
    if error:
        messages.error(request, f"Nothing was saved: {error.name} {error.reason}.")
    return render(request, "system/plain_config.html", {
        "section": "system", "page_key": "system.plain-config",
        "groups": names, "group": group, "rows": rows,
    })


def _logs(request: HttpRequest, status: int = 200) -> HttpResponse:
    return render(request, "system/logs.html", {
        "section": "system", "page_key": "system.logs", **trace.facts(),
        **remote_syslog.facts()}, status=status)


@page(Level.ADMIN)
def logs_page(request: HttpRequest) -> HttpResponse:
    return _logs(request)


@page(Level.ADMIN)
@require_POST
def trace_start(request: HttpRequest) -> HttpResponse:
    """Start a network trace of the chosen time; a bad time, a running trace or
    a missing tcpdump is said on the page, and nothing starts."""
    try:
        duration = trace.parse_duration(request.POST.get("duration", ""))
        answer = async_to_sync(ask_worker)(start_trace, duration, request.user.get_username(),
                                           timeout=TRACE_START_TIMEOUT)
    except trace.TraceError as exc:
        return _refused(request, f"The network trace did not start: {exc}.", 400)
    except WorkerUnavailable as exc:
        return _refused(request, f"The network trace did not start: {exc}.", 503)
    if not answer["ok"]:
        return _refused(request, f"The network trace did not start: {answer['message']}.", 409)
    return redirect("system:logs")


@page(Level.ADMIN)
@require_POST
def trace_stop(request: HttpRequest) -> HttpResponse:
    try:
        trace.request_stop()
    except trace.TraceError as exc:
        return _refused(request, f"Nothing to stop: {exc}.", 409)
    return redirect("system:logs")


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    messages.error(request, message)
    return _logs(request, status)


@page(Level.ADMIN)
def trace_download(request: HttpRequest) -> HttpResponse:
    return trace_file() or HttpResponse(
        "There is no finished network trace to download.\n", status=404,
        content_type="text/plain; charset=utf-8")


def trace_file() -> FileResponse | None:
    """The latest finished trace as a download, if there is one."""
    found = trace.finished_file()
    if found is None:
        return None
    path, name = found
    try:
        opened = path.open("rb")
    except FileNotFoundError:
        return None  # a new trace has just replaced it
    return FileResponse(opened, as_attachment=True, filename=name, content_type=PCAP)


@page(Level.ADMIN)
def show_log(request: HttpRequest, name: str) -> HttpResponse:
    """The system log (with the journal: system_log.py) or the access log."""
    titles = {"system": "System log", "access": "Access log"}
    if name not in titles:
        raise Http404("no such log")
    wanted = request.GET.get("text", "")[:SYSTEM_LOG_TEXT_CHARS]
    text = (system_log.read(wanted) if name == "system" else
            logs.read(settings.ENVIRONMENT, logs.ACCESS, wanted))
    return render(request, "system/log.html", {
        "section": "system", "page_key": "system.logs", "title": titles[name], "text": text,
        "filterable": True, "text_filter": request.GET.get("text", ""),
    })


@page(Level.ADMIN)
async def report_view(request: HttpRequest) -> HttpResponse:
    context = {"section": "system", "page_key": "system.logs", "title": "Server report"}
    try:
        text = await ask_worker(server_report, "text", timeout=REPORT_TIMEOUT)
    except WorkerUnavailable as exc:
        return render(request, "system/log.html", {
            **context, "text": "", "error": f"The server report cannot be made: {exc}."},
            status=503)
    return render(request, "system/log.html", {**context, "text": text})


@page(Level.ADMIN)
async def report_zip(request: HttpRequest) -> HttpResponse:
    return await _archive(ZIP, "server report")


@page(Level.ADMIN)
async def crash_report(request: HttpRequest) -> HttpResponse:
    return await _archive(TGZ, "crash report")


async def _archive(kind: str, what: str) -> HttpResponse:
    try:
        return await report_download(kind)
    except WorkerUnavailable as exc:
        return HttpResponse(f"The {what} cannot be made: {exc}.\n", status=503,
                            content_type="text/plain; charset=utf-8")


async def report_download(kind: str) -> FileResponse:
    """The server report as a zip, or the crash report (WorkerUnavailable
    when it cannot be made)."""
    stored = await ask_worker(server_report, kind, timeout=REPORT_TIMEOUT)
    path = settings.ENVIRONMENT.data_dir / REPORTS / stored
    archive = path.open("rb")
    path.unlink()  # the open file stays readable; nothing is left behind
    path.parent.rmdir()
    return FileResponse(archive, as_attachment=True, filename=path.name,
                        content_type=CONTENT_TYPES[kind])
