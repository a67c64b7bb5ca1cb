"""What a request may cost herald-web: every limit on requests is here.

Bodies, checked before Django reads any of them (`bounded`): Django's ASGI
handler reads a whole body (spooling it to disk) before a view or even
authentication runs, so a stranger's 300 MiB POST used to fill the disk and
the memory on its way to a 401. Here each body is limited by where it goes:
a firmware upload piece, a clip, or anything else (a form, a CGI's
parameters, a JSON call). A body declared too big is answered 413 at once;
one that arrives without a length and runs past its limit is cut off.

Connections, kept by herald-web's server (herald_web.connections): a header
section (request line, headers; a chunked body's trailers) of at most
HEADER_BYTES, else 431; a header section that takes longer than
HEADER_SECONDS from connecting (or from its first byte on a kept-alive
connection), or a body with no byte for BODY_IDLE_SECONDS, closes the
connection; so does KEEP_ALIVE_SECONDS with nothing after a response. A body
that keeps coming (a firmware upload, live audio to transmit.cgi) runs as
long as it keeps coming, and a response takes as long as the application
needs. Tests shorten the timeouts with HERALD_WEB_HEADER_TIMEOUT,
HERALD_WEB_BODY_TIMEOUT and HERALD_WEB_KEEP_ALIVE (seconds).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from herald.audio.contract import MAX_CLIP_BYTES
from herald_web.maintenance.uploads import CHUNK_BYTES

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]

MARGIN = 1024 * 1024  # multipart boundaries and fields around the file
ANY_BODY = 3 * 1024 * 1024  # past DATA_UPLOAD_MAX_MEMORY_SIZE, so Django says which
CLIP = MAX_CLIP_BYTES + MARGIN
# Path prefixes whose bodies carry files, with their limits.
LIMITS = (
    ("/maintenance/firmware/upload/", CHUNK_BYTES + MARGIN),
    ("/audio/clips/", CLIP),
    ("/axis-cgi/mediaclip.cgi", CLIP),
)


def _seconds(name: str, device: int) -> int:
    return int(os.environ.get(f"HERALD_WEB_{name}", device))


# nginx's default room (4 buffers of 8 KiB): ample for the device's own
# cookies and a Digest Authorization, which come to well under 4 KiB.
HEADER_BYTES = 32 * 1024
# A client sends its headers in one go; 20 s outlasts a lost segment resent
# four times (1 + 2 + 4 + 8 s).
HEADER_SECONDS = _seconds("HEADER_TIMEOUT", 20)
# Live audio and uploads send many times a second; 30 s of silence is a
# stalled client (or a dead link), not a slow one.
BODY_IDLE_SECONDS = _seconds("BODY_TIMEOUT", 30)
# Longer than the pages' polling (every 3-5 s), so a browser's or a
# management system's polls reuse one connection instead of paying a TCP and
# TLS handshake each; short enough that idle sockets do not pile up.
KEEP_ALIVE_SECONDS = _seconds("KEEP_ALIVE", 15)


def limit(path: str) -> int:
    return next((size for prefix, size in LIMITS if path.startswith(prefix)), ANY_BODY)


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def too_large(send: Send, allowed: int) -> None:
    body = f"413 Request body too large: at most {allowed} bytes here\n".encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def bounded(application: Application) -> Application:
    """`application` behind the body limits."""
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        allowed = limit(scope.get("path", ""))
        declared = declared_length(scope)
        if declared is not None and declared > allowed:
            await too_large(send, allowed)
            return
        received, refused = 0, False

        async def counted() -> dict[str, Any]:
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > allowed:  # a body without a length that runs on
                if not refused:
                    refused = True
                    await too_large(send, allowed)
                return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: dict[str, Any]) -> None:
            if not refused:  # Django's own answer to a cut-off body is not sent
                await send(message)
        await application(scope, counted, unless_refused)
    return guarded
