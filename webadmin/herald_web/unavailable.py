"""A request that needs the bus while Redis does not answer (frozen, or being
restarted) gets a 503 within about a second that says so and when to try
again, instead of a hang or a bare 500. Nothing was changed: a view that
writes does so only after the bus checks it needs (Digest replay guard,
brute-force block) have passed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from herald.bus import ServiceUnavailable

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = ("The device's message bus is not answering, or a service on it is not, so the "
           f"request was not carried out. Try again in {RETRY_AFTER_SECONDS} seconds.\n")


class BusUnavailable:
    """Middleware: Redis failures and services that do not answer, from any view,
    become that 503 (a service's refusal, CallFailed, is the view's to word)."""

    sync_capable = async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, redis.RedisError | ServiceUnavailable):
            return None
        log.warning("%s %s: the bus did not answer (%s)", request.method, request.path,
                    type(exception).__name__)
        reply = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
        reply["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return reply
