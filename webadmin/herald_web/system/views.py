"""System > Plain config and System > Logs."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald.params import ParamError
from herald.system import logs
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.celery import WorkerUnavailable, ask_worker
from herald_web.device import params
from herald_web.system import plain
from herald_web.system.tasks import REPORTS, server_report

REPORT_TIMEOUT = 120


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


@page(Level.ADMIN)
def logs_page(request: HttpRequest) -> HttpResponse:
    return render(request, "system/logs.html", {"section": "system", "page_key": "system.logs"})


@page(Level.ADMIN)
def show_log(request: HttpRequest, name: str) -> HttpResponse:
    files = {"system": ("System log", logs.SYSTEM), "access": ("Access log", logs.ACCESS)}
    if name not in files:
        raise Http404("no such log")
    title, filename = files[name]
    text = logs.read(settings.ENVIRONMENT, filename, request.GET.get("text", "")[:200])
    return render(request, "system/log.html", {
        "section": "system", "page_key": "system.logs", "title": title, "text": text,
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
    try:
        return await report_download()
    except WorkerUnavailable as exc:
        return HttpResponse(f"The server report cannot be made: {exc}.\n", status=503,
                            content_type="text/plain; charset=utf-8")


async def report_download() -> FileResponse:
    """The server report as a zip archive (WorkerUnavailable when it cannot be made)."""
    stored = await ask_worker(server_report, "zip", timeout=REPORT_TIMEOUT)
    path = settings.ENVIRONMENT.data_dir / REPORTS / stored
    archive = path.open("rb")
    path.unlink()  # the open file stays readable; nothing is left behind
    path.parent.rmdir()
    return FileResponse(archive, as_attachment=True, filename=path.name,
                        content_type="application/zip")

