"""Django's ASGI handler, with each request's sync work done as WSGI does it:
the whole middleware chain and the view in one thread, from a pool.

Django's own ASGI handler runs the middleware chain async, and each of the
stock middleware then hands its `process_request` and `process_response` to
a thread and back, about ten hand-offs a request, each a wait for the GIL
when the server is busy; and it makes a new thread for every request, so
every request also opened (and closed) its own SQLite connections. Measured
on param.cgi list at 20 clients, that was most of the server's CPU.

Here the chain runs sync, in one hand-off per request. Each request still
has a thread to itself, so a view that waits on the bus holds up no other
request, but the thread and the connections it keeps come from a pool. A
thread whose work outlived its request (a client that hung up while a view
ran on) is not reused: it ends when that work does. Reading the body and
sending the reply stay on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpRequest, HttpResponseBase

IDLE_THREADS = 16  # kept between bursts; a burst beyond makes threads that then end


class RequestThread(ThreadPoolExecutor):
    """One worker thread that knows whether it is running anything."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="request")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    @property
    def idle(self) -> bool:
        with self._lock:
            return not self._pending


class RequestHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self._idle: list[RequestThread] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP here, not {scope['type']}")
        thread = self._idle.pop() if self._idle else RequestThread()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            if thread.idle and len(self._idle) < IDLE_THREADS:
                self._idle.append(thread)
            else:
                thread.shutdown(wait=False)

    async def run_get_response(self, request: HttpRequest) -> HttpResponseBase:
        response = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):  # the server chunks; bigger reads are cheaper
            response.block_size = self.chunk_size
        return response
