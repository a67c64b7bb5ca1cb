"""Recordings: start and stop a continuous recording, play, download, delete.
The recordings service (herald-core, herald.recordings) records and keeps the
list; these pages ask it and show its answers."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.audio.contract import settings_from_params
from herald.recordings import contract
from herald_web.accounts.access import page
from herald_web.device import call, params

CONTEXT = {"section": "recordings"}


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//")
                    else "recordings:index")


def _told(request: HttpRequest, answer: dict, done: str) -> HttpResponse:
    if answer.get("ok"):
        messages.success(request, done)
    else:
        messages.error(request, answer["message"])
    return _back(request)


def listing() -> tuple[contract.Entry, ...] | None:
    """The recordings, newest first; None when the service does not answer."""
    answer = call(contract.SERVICE, contract.LIST)
    return contract.Listing.from_dict(answer["recordings"]).recordings if answer["ok"] else None


@page(Level.OPERATOR)
def index(request: HttpRequest) -> HttpResponse:
    recordings = listing()
    return render(request, "recordings/index.html", {
        **CONTEXT, "recordings": recordings or (), "unavailable": recordings is None,
        "storages": contract.STORAGES,
        "ongoing": next((r for r in recordings or () if r.status == contract.RECORDING), None),
        "input_enabled": settings_from_params(params().snapshot().get).input_enabled,
    })


@page(Level.OPERATOR)
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    answer = call(contract.SERVICE, contract.START, storage=request.POST.get("storage", ""),
                  by=request.user.get_username())
    return _told(request, answer, f"Recording {answer.get('recording')} started.")


@page(Level.OPERATOR)
@require_POST
def stop(request: HttpRequest) -> HttpResponse:
    answer = call(contract.SERVICE, contract.STOP, by=request.user.get_username())
    return _told(request, answer, "The recording stops.")


def _recording(pk: str) -> contract.Entry:
    found = [r for r in listing() or () if str(r.id) == pk]
    if not found:
        raise Http404("no such recording")
    return found[0]


@page(Level.OPERATOR)
def download(request: HttpRequest, pk: str) -> HttpResponse:
    recording = _recording(pk)
    try:
        audio = open(recording.file, "rb")  # noqa: SIM115 (the response closes it)
    except FileNotFoundError:  # gone, or never written (no file: "")
        raise Http404("the recording's file is gone") from None
    return FileResponse(audio, content_type="audio/wav", as_attachment="play" not in request.GET,
                        filename=f"recording-{recording.id}.wav")


@page(Level.OPERATOR)
@require_POST
def delete(request: HttpRequest, pk: str) -> HttpResponse:
    if not pk.isdigit():
        raise Http404("no such recording")
    answer = call(contract.SERVICE, contract.DELETE, recording=int(pk),
                  by=request.user.get_username())
    return _told(request, answer, "The recording is deleted.")
