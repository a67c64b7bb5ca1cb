"""VAPIX endpoints that stream: a request body that never ends (live audio
to transmit.cgi) or a reply that never ends (receive.cgi).

Django reads a whole request body before a view runs, so these endpoints
bypass Django's request handling (not its authentication):

    @stream_cgi("audio/transmit.cgi", Level.VIEWER)
    async def transmit(request: StreamRequest) -> None:
        async for chunk in request.chunks():
            ...
        await request.reply(text("OK\\n"))

The caller is authenticated as for every CGI (Digest, Basic over HTTPS) and
below the level gets 401 or 403 before the handler runs. The handler must
answer: `reply()` for a complete response, or `start()` then `write()` for a
streamed one; `disconnected()` tells whether the client went away.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse

from herald.access import Level
from herald_web.accounts.access import Access, mark
from herald_web.security import SECURITY_HEADERS, add_security_headers
from herald_web.vapix.registry import Endpoint, admit

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Handler = Callable[["StreamRequest"], Awaitable[None]]


class Disconnected(Exception):
    """The client closed the connection."""


@dataclass
class StreamRequest:
    scope: Scope
    receive_message: Receive
    send_message: Send
    django: ASGIRequest  # method, headers (META), query (GET), user, herald_level
    started: bool = False
    _gone: bool = field(default=False, repr=False)

    @property
    def level(self) -> Level:
        return self.django.herald_level

    async def chunks(self) -> AsyncIterator[bytes]:
        """The request body as it arrives."""
        while True:
            message = await self.receive_message()
            if message["type"] == "http.disconnect":
                self._gone = True
                raise Disconnected()
            body = message.get("body", b"")
            if body:
                yield body
            if not message.get("more_body", False):
                return

    def disconnected(self) -> bool:
        return self._gone

    async def wait_disconnect(self) -> None:
        """Return when the client goes away (use once the body is read)."""
        while (await self.receive_message())["type"] != "http.disconnect":
            pass
        self._gone = True

    async def start(self, status: int, content_type: str,
                    headers: list[tuple[str, str]] | None = None) -> None:
        given = {k.lower(): v for k, v in [("Content-Type", content_type), *(headers or [])]}
        given |= {k.lower(): v for k, v in SECURITY_HEADERS.items() if k.lower() not in given}
        raw = [(k.encode(), v.encode()) for k, v in given.items()]
        await self.send_message({"type": "http.response.start", "status": status, "headers": raw})
        self.started = True

    async def write(self, data: bytes, more: bool = True) -> None:
        await self.send_message({"type": "http.response.body", "body": data, "more_body": more})

    async def reply(self, response: HttpResponse) -> None:
        add_security_headers(response, secure=False)  # no cookie is set here
        await self.send_message({
            "type": "http.response.start", "status": response.status_code,
            "headers": [(k.lower().encode(), v.encode()) for k, v in response.items()],
        })
        await self.write(response.content, more=False)
        self.started = True


_streams: dict[str, tuple[Endpoint, Handler]] = {}


def stream_cgi(where: str, level: Level, methods: tuple[str, ...] = ("POST",),
               needs_account: bool = False) -> Callable[[Handler], Handler]:
    """Serve the decorated coroutine at `where` (under /axis-cgi/ unless absolute);
    `needs_account` as for `registry.cgi`."""
    def decorate(handler: Handler) -> Handler:
        full = "/" + (where.lstrip("/") if where.startswith("/") else f"axis-cgi/{where}")
        if full in _streams:
            raise ValueError(f"VAPIX endpoint {full} registered twice")
        endpoint = Endpoint(full.lstrip("/"), handler, level, first_visit=False, methods=methods,
                            needs_account=needs_account)
        _streams[full] = (endpoint, handler)
        mark(handler, Access(level, "cgi"))
        return handler
    return decorate


def stream_paths() -> dict[str, Access]:
    return {path: Access(endpoint.level, "cgi") for path, (endpoint, _) in _streams.items()}


class StreamRouter:
    """ASGI: streaming CGIs here, every other HTTP request to Django."""

    def __init__(self, django_application: Callable[..., Awaitable[None]]) -> None:
        self.django_application = django_application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _streams.get(scope.get("path", ""))
        if found is None:
            await self.django_application(scope, receive, send)
            return
        endpoint, handler = found
        django_request = ASGIRequest(scope, io.BytesIO())
        refusal = await sync_to_async(admit)(django_request, endpoint)
        request = StreamRequest(scope, receive, send, django_request)
        if refusal is not None:
            await request.reply(refusal)
            return
        try:
            await handler(request)
        except Disconnected:
            return
        if not request.started:
            raise RuntimeError(f"{endpoint.path}: the handler sent no reply")
