"""How big a request body may be, checked before Django reads any of it.

Django's ASGI handler reads a whole body (spooling it to disk) before a view
or even authentication runs, so a stranger's 300 MiB POST used to fill the
disk and the memory on its way to a 401. Here each body is limited by where
it goes: a firmware upload piece, a clip, or anything else (a form, a CGI's
parameters, a JSON call). A body declared too big is answered 413 at once; one
that arrives without a length and runs past its limit is cut off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from herald.audio.clips import ClipLimits
from herald_web.maintenance.uploads import CHUNK_BYTES

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]

MARGIN = 1024 * 1024  # multipart boundaries and fields around the file
ANY_BODY = 3 * 1024 * 1024  # past DATA_UPLOAD_MAX_MEMORY_SIZE, so Django says which
CLIP = ClipLimits().max_bytes + MARGIN
# Path prefixes whose bodies carry files, with their limits.
LIMITS = (
    ("/maintenance/firmware/upload/", CHUNK_BYTES + MARGIN),
    ("/audio/clips/", CLIP),
    ("/axis-cgi/mediaclip.cgi", CLIP),
)


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
