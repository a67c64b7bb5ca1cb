"""VAPIX audio: media clips, live audio in and out, audio device control.

mediaclip.cgi, playclip.cgi and stopclip.cgi answer in VAPIX's text form
("OK" and a line such as "playing=3", or 400 with the reason);
transmit.cgi and receive.cgi stream through the audio link;
audiodevicecontrol.cgi is a JSON-RPC API (devicecontrol).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import PurePath

from django.http import FileResponse, HttpRequest, HttpResponse

from herald.access import Level
from herald.audio import contract
from herald.audio.contract import ClipNotFound
from herald.audio.link import LinkError, TransmitClient, open_capture
from herald_web.audio import devicecontrol
from herald_web.audio.engine import EngineError, call, clips, link
from herald_web.vapix.discovery import Api, offer
from herald_web.vapix.registry import cgi
from herald_web.vapix.replies import arguments, quote, text
from herald_web.vapix.streaming import Disconnected, StreamRequest, stream_cgi

offer(Api("mediaclip", "Media Clip", "1.0"))
offer(Api("audio-device-control", "Audio Device Control", "1.0"))


class BadRequest(Exception):
    pass


def _number(args: dict, name: str, default: int | None = None) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        if default is None:
            raise BadRequest(f"{name} is missing")
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number, not {quote(raw)!r}") from None


def _check_device(args: dict) -> None:
    """The speaker has one audio device with one output: 0 and 0."""
    for name in ("audiodeviceid", "audiooutputid", "audiooutput"):
        if args.get(name, "0") not in ("0", ""):
            raise BadRequest(f"{name}={quote(args[name])} does not exist: use 0")


def _play(args: dict) -> HttpResponse:
    """Play a clip given by number (clip=) or by where it is (location=)."""
    _check_device(args)
    location = args.get("location")
    if location and args.get("clip"):
        raise BadRequest("give clip or location, not both")
    clip = clips().find(location).id if location else _number(args, "clip")
    played = call(contract.PLAY_CLIP, clip=clip, volume=_number(args, "volume", 100),
                  repeat=_number(args, "repeat", 0))
    return text(f"OK\nplaying={played['clip']}\n")


def _answer(handler: Callable[[dict], HttpResponse], args: dict) -> HttpResponse:
    try:
        return handler(args)
    except (BadRequest, ClipNotFound) as exc:
        return text(f"Error: {exc}\n", 400)
    except EngineError as exc:
        return text(f"Error: {exc}\n", 503 if exc.status == 503 else 400)


@cgi("mediaclip.cgi", Level.OPERATOR)
def mediaclip(request: HttpRequest) -> HttpResponse:
    args = arguments(request)
    action = args.get("action", "").lower()
    if action == "upload":
        return _answer(lambda a: _upload(request, a), args)
    actions = {"play": _play, "stop": _stop, "remove": _remove, "update": _update,
               "download": _download}
    if action not in actions:
        return text("Error: action must be play, stop, upload, update, remove or download\n", 400)
    return _answer(actions[action], args)


def _stop(args: dict) -> HttpResponse:
    call(contract.STOP_CLIP)
    return text("OK\nstopping\n")


def _remove(args: dict) -> HttpResponse:
    removed = clips().remove(_number(args, "clip"))
    return text(f"OK\nremoved={removed.id}\n")


def _update(args: dict) -> HttpResponse:
    if "name" not in args:
        raise BadRequest("name is missing")
    updated = clips().rename(_number(args, "clip"), args["name"])
    return text(f"OK\nupdated={updated.id}\n")


def _download(args: dict) -> HttpResponse:
    """The clip as VAPIX has downloads: .au data (audio/basic), converted if need be."""
    clip, path = clips().file(_number(args, "clip"), au=True)
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"{PurePath(clip.filename).stem}.au", content_type="audio/basic")


def _upload(request: HttpRequest, args: dict) -> HttpResponse:
    if request.method != "POST":
        raise BadRequest("upload with a POST of multipart/form-data")
    if args.get("media", "audio") != "audio":
        raise BadRequest("only media=audio can be uploaded")
    files = list(request.FILES.values())
    if len(files) != 1:
        raise BadRequest("the upload must hold exactly one file")
    upload = files[0]
    clip = clips().add(upload, upload.name or "clip", name=args.get("name") or None)
    return text(f"OK\nUploaded={clip.id}\n")


@cgi("playclip.cgi", Level.VIEWER, methods=("GET",), needs_account=True)
def playclip(request: HttpRequest) -> HttpResponse:
    return _answer(_play, arguments(request))


@cgi("stopclip.cgi", Level.VIEWER, methods=("GET",), needs_account=True)
def stopclip(request: HttpRequest) -> HttpResponse:
    return _answer(_stop, arguments(request))


@cgi("audiodevicecontrol.cgi", Level.OPERATOR)  # a GET gets the JSON "not POST" error
def audiodevicecontrol(request: HttpRequest) -> HttpResponse:
    return devicecontrol.api.handle(request)


# -- live audio -----------------------------------------------------------------------------


@stream_cgi("audio/transmit.cgi", Level.VIEWER, needs_account=True)
async def transmit(request: StreamRequest) -> None:
    """Play the request body as it arrives; answer once it has been played."""
    query = request.django.GET
    try:
        _check_device(query)
    except BadRequest as exc:
        await request.reply(text(f"Error: {exc}\n", 400))
        return
    content_type = request.django.META.get("CONTENT_TYPE", "")
    try:
        client = await TransmitClient.open(link(), content_type)
    except LinkError as exc:
        await request.reply(text(f"Error: {exc}\n", exc.status))
        return
    pump = asyncio.create_task(_pump(request, client))
    try:
        await client.reply()  # the core took the stream
        await pump
        played = await client.reply()
    except LinkError as exc:
        if not request.disconnected():
            await request.reply(text(f"Error: {exc}\n", exc.status))
        return
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Disconnected, ConnectionError):
            await pump
        client.close()
    await request.reply(text(f"OK\nplayed={played.get('seconds', 0)}\n"))


async def _pump(request: StreamRequest, client: TransmitClient) -> None:
    """The body to the core, at the pace the core's buffer allows. A client that
    hangs up ends the body too: the core plays what came rather than hold the
    speaker's one live stream until its receiver timeout."""
    try:
        try:
            async for chunk in request.chunks():
                await client.send(chunk)
        finally:
            await client.end()
    except ConnectionError:
        pass  # the core stopped taking audio; its reply says why


RECEIVE_CODECS = {("g711", 8000): ("mulaw", "audio/basic"),
                  ("g711", 16000): ("mulaw", "audio/axis-mulaw-128"),
                  ("pcm", 8000): ("s16le", "audio/L16;rate=8000;channels=1"),
                  ("pcm", 16000): ("s16le", "audio/L16;rate=16000;channels=1")}
MULTIPART_BLOCK = 512  # bytes per part, as VAPIX sends G.711
BOUNDARY = "herald-audio"


@stream_cgi("audio/receive.cgi", Level.VIEWER, methods=("GET",))
async def receive(request: StreamRequest) -> None:
    """The microphone, as long as the client listens."""
    query = request.django.GET
    codec = query.get("audiocodec", "g711").lower()
    try:
        rate = int(query.get("audiosamplerate", "8000"))
    except ValueError:
        rate = 0
    httptype = query.get("httptype", "singlepart").lower()
    if (codec, rate) not in RECEIVE_CODECS or httptype not in ("singlepart", "multipart"):
        await request.reply(text("Error: use audiocodec g711 or pcm, audiosamplerate 8000 or "
                                 "16000, httptype singlepart or multipart\n", 400))
        return
    encoding, content_type = RECEIVE_CODECS[(codec, rate)]
    try:
        _, reader, writer = await open_capture(link(), encoding, rate)
    except LinkError as exc:
        await request.reply(text(f"Error: {exc}\n", exc.status))
        return
    multipart = httptype == "multipart"
    await request.start(200, f"multipart/x-mixed-replace;boundary={BOUNDARY}" if multipart
                        else content_type, [("cache-control", "no-store")])
    gone = asyncio.create_task(request.wait_disconnect())
    try:
        while not gone.done():
            size = MULTIPART_BLOCK if multipart else 4096
            data = await reader.readexactly(size) if multipart else await reader.read(size)
            if not data:
                break
            if multipart:
                data = (f"--{BOUNDARY}\r\nContent-Type: {content_type}\r\n"
                        f"Content-Length: {len(data)}\r\n\r\n").encode() + data + b"\r\n"
            await request.write(data)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        gone.cancel()
        writer.close()
        if not request.disconnected():
            with contextlib.suppress(Exception):
                await request.write(b"", more=False)

