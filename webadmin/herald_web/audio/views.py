"""Audio: device settings, audio clips, listen and record, level meters.

Views stay thin: clips go to the clip store's service, settings to the
parameter store, playing to the core's audio service (audio.engine).
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.audio import contract
from herald.audio.contract import CLIP_EXTENSIONS, ClipNotFound, settings_from_params
from herald.audio.link import LinkError, open_capture
from herald.recordings import contract as recordings
from herald_web.accounts.access import api, page
from herald_web.audio.engine import EngineError, call, clips, link, status
from herald_web.audio.forms import DeviceSettingsForm
from herald_web.audio.forms import save_settings as save_settings_form
from herald_web.device import bus, params

CONTEXT = {"section": "audio"}
# The page's Download gives the clip as uploaded (mediaclip.cgi gives .au, as VAPIX has it).
CLIP_TYPES = {"au": "audio/basic", "wav": "audio/wav", "mp3": "audio/mpeg", "opus": "audio/ogg",
              "vorbis": "audio/ogg"}
LISTEN_RATE = 16000


@page(Level.OPERATOR)
def index(request: HttpRequest) -> HttpResponse:
    settings = settings_from_params(params().snapshot().get)
    return render(request, "audio/index.html", {
        **CONTEXT, "form": DeviceSettingsForm(initial=settings.to_dict()),
        "settings": settings, "clips": clips().list(), "engine": status(),
        "accept": ",".join(sorted(CLIP_EXTENSIONS)), "storages": recordings.STORAGES,
        "ongoing_recording": bool(bus().state().get(recordings.ONGOING)),
    })


@page(Level.OPERATOR)
@require_POST
def save_settings(request: HttpRequest) -> HttpResponse:
    return save_settings_form(request, DeviceSettingsForm(request.POST),
                              "The device settings are saved.", "audio:index")


def _refusal(exc: Exception, status_code: int = 400) -> JsonResponse:
    return JsonResponse({"error": str(exc)}, status=status_code)


@api(Level.OPERATOR)
@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    files = list(request.FILES.values())
    if len(files) != 1:
        return JsonResponse({"error": "choose one audio file to add"}, status=400)
    try:
        clip = clips().add(files[0], files[0].name or "clip", name=request.POST.get("name") or None)
    except EngineError as exc:
        return _refusal(exc, exc.status)
    return JsonResponse({"clip": clip.to_dict()})


def _clip_number(clip_id: str) -> int:
    """URLs take any text (access is checked before routing matters); clips are numbers."""
    if not clip_id.isdigit():
        raise ClipNotFound(clip_id)
    return int(clip_id)


def _int(request: HttpRequest, name: str, default: int) -> int:
    try:
        return int(request.POST.get(name, default))
    except ValueError:
        raise EngineError(f"{name} must be a whole number") from None


@api(Level.OPERATOR)
@require_POST
def play(request: HttpRequest, clip_id: str) -> JsonResponse:
    try:
        played = call(contract.PLAY_CLIP, clip=_clip_number(clip_id),
                      volume=_int(request, "volume", 100), repeat=_int(request, "repeat", 0))
    except ClipNotFound as exc:
        return _refusal(exc, 404)
    except EngineError as exc:
        return _refusal(exc, exc.status)
    return JsonResponse({"playing": played})


@api(Level.OPERATOR)
@require_POST
def stop(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(call(contract.STOP_CLIP))
    except EngineError as exc:
        return _refusal(exc, exc.status)


@api(Level.OPERATOR)
@require_POST
def rename(request: HttpRequest, clip_id: str) -> JsonResponse:
    try:
        clip = clips().rename(_clip_number(clip_id), request.POST.get("name", ""))
    except ClipNotFound as exc:
        return _refusal(exc, 404)
    except EngineError as exc:
        return _refusal(exc, exc.status)
    return JsonResponse({"clip": clip.to_dict()})


@api(Level.OPERATOR)
@require_POST
def delete(request: HttpRequest, clip_id: str) -> JsonResponse:
    try:
        clip = clips().remove(_clip_number(clip_id))
    except ClipNotFound as exc:
        return _refusal(exc, 404)
    except EngineError as exc:
        return _refusal(exc, exc.status)
    return JsonResponse({"removed": clip.id})


@api(Level.OPERATOR)
def download(request: HttpRequest, clip_id: str) -> HttpResponse:
    try:
        clip, path = clips().file(_clip_number(clip_id))
    except ClipNotFound as exc:
        return _refusal(exc, 404)
    except EngineError as exc:
        return _refusal(exc, exc.status)
    return FileResponse(path.open("rb"), as_attachment=True, filename=clip.filename,
                        content_type=CLIP_TYPES[clip.format])


def wav_stream_header(rate: int) -> bytes:
    """A WAV header for a stream of unknown length (16-bit mono)."""
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 0xFFFFFFFF, b"WAVE", b"fmt ", 16, 1, 1,
                       rate, rate * 2, 2, 16, b"data", 0xFFFFFFFF)


@api(Level.OPERATOR)
async def listen(request: HttpRequest) -> HttpResponse:
    """The microphone as a WAV stream the browser's audio element plays."""
    try:
        _, reader, writer = await open_capture(link(), "s16le", LISTEN_RATE)
    except LinkError as exc:
        return _refusal(exc, exc.status)

    async def stream() -> AsyncIterator[bytes]:
        try:
            yield wav_stream_header(LISTEN_RATE)
            while data := await reader.read(4096):
                yield data
        finally:
            writer.close()

    response = StreamingHttpResponse(stream(), content_type="audio/wav")
    response["Cache-Control"] = "no-store"
    return response

