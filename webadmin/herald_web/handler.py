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
thread still busy when its request ended (cancelled as the server stops) is
not reused: it ends when that work does. Reading the body and
sending the reply stay on the event loop.

Django's handler also hands the request_started signal and, after sending,
the response's close (request_finished) to the thread, each a hand-off of
its own; here both go with the view, the close before sending when the reply
is complete in memory. A streamed reply is sent as Django sends it: stopped
when the client goes, then closed in the thread.

A CGI's request goes through a shorter middleware chain (settings'
CGI_MIDDLEWARE): VAPIX clients bring no session, CSRF token or messages, and
building those for every call was work for nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

from herald_web.vapix import registry

# Kept between bursts: 20 busy VAPIX clients and a browser fit (at 16, each
# request past the 16th made a thread and ended it). A burst beyond makes
# threads that then end.
IDLE_THREADS = 32


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


class CgiHandler(BaseHandler):
    """Django's request handling with CGI_MIDDLEWARE as the middleware."""

    def __init__(self) -> None:
        super().__init__()
        everything = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.CGI_MIDDLEWARE  # load_middleware reads only the setting
        try:
            self.load_middleware(is_async=False)
        finally:
            settings.MIDDLEWARE = everything


class RequestHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.cgi = CgiHandler()
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

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body)
            if response.streaming:
                await self._stream(response, receive, send)
            else:
                await self.send_response(response, send)
        finally:
            body.close()

    def _respond(self, scope: dict[str, Any], body: Any) -> HttpResponseBase:
        """In the request's thread: the request's signals, middleware and view."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body)
        if request is not None:
            chain = self.cgi if registry.serves(request.path_info) else self
            response = chain.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):  # the server chunks; bigger reads are cheaper
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response

    async def _stream(self, response: HttpResponseBase, receive: Any, send: Any) -> None:
        """Send a streamed reply until it ends or the client goes, then close it."""
        tasks = (asyncio.create_task(self.listen_for_disconnect(receive)),
                 asyncio.create_task(self.send_response(response, send)))
        try:
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
            for task in done:
                with contextlib.suppress(RequestAborted):  # the client went away
                    task.result()
        finally:
            await sync_to_async(response.close, thread_sensitive=True)()
