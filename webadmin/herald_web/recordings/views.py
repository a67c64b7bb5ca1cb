"""Recordings: start and stop a continuous recording, play, download, delete."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.audio.params import settings_from_params
from herald_web.accounts.access import page
from herald_web.device import params
from herald_web.recordings import tasks
from herald_web.recordings.models import STORAGES, Recording

CONTEXT = {"section": "recordings"}


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//")
                    else "recordings:index")


@page(Level.OPERATOR)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "recordings/index.html", {
        **CONTEXT, "recordings": Recording.objects.all(), "storages": STORAGES,
        "ongoing": Recording.objects.filter(status=Recording.ONGOING).first(),
        "input_enabled": settings_from_params(params().snapshot().get).input_enabled,
    })


@page(Level.OPERATOR)
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    storage = request.POST.get("storage", "data")
    if storage not in STORAGES:
        messages.error(request, "Choose a storage for the recording.")
        return _back(request)
    if not settings_from_params(params().snapshot().get).input_enabled:
        messages.error(request, "Turn the audio input on to record.")
        return _back(request)
    with transaction.atomic():
        if Recording.objects.filter(status__in=(Recording.ONGOING, Recording.STOPPING)).exists():
            messages.error(request, "A recording is already running: stop it first.")
            return _back(request)
        recording = Recording.objects.create(started=timezone.now(), storage=storage)
    tasks.record.delay(recording.pk)
    tasks.publish_ongoing()
    messages.success(request, f"{recording.name} started.")
    return _back(request)


@page(Level.OPERATOR)
@require_POST
def stop(request: HttpRequest) -> HttpResponse:
    stopping = Recording.objects.filter(status=Recording.ONGOING).update(
        status=Recording.STOPPING)
    tasks.publish_ongoing()
    if stopping:
        messages.success(request, "The recording stops.")
    else:
        messages.error(request, "No recording is running.")
    return _back(request)


def _recording(pk: str) -> Recording:
    if not pk.isdigit():
        raise Http404("no such recording")
    try:
        return Recording.objects.get(pk=int(pk))
    except Recording.DoesNotExist:
        raise Http404("no such recording") from None


@page(Level.OPERATOR)
def download(request: HttpRequest, pk: str) -> HttpResponse:
    recording = _recording(pk)
    if not recording.path.exists():
        raise Http404("the recording's file is gone")
    return FileResponse(recording.path.open("rb"), content_type="audio/wav",
                        as_attachment="play" not in request.GET,
                        filename=f"recording-{recording.pk}.wav")


@page(Level.OPERATOR)
@require_POST
def delete(request: HttpRequest, pk: str) -> HttpResponse:
    recording = _recording(pk)
    if recording.ongoing:
        messages.error(request, "Stop the recording before deleting it.")
        return _back(request)
    recording.path.unlink(missing_ok=True)
    recording.delete()
    messages.success(request, "The recording is deleted.")
    return _back(request)
