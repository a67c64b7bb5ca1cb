"""VAPIX's event stream over WebSocket: ws(s)://<device>/vapix/ws-data-stream?sources=events
(events is the one source: a `sources` without it is refused with 400).

The caller authenticates on the upgrade as at any CGI (Digest, Basic over
HTTPS; anonymous viewing makes a caller without credentials a viewer), with a
token from wssession.cgi (`&wssession=`, valid 15 s, good once: for clients
whose websocket library cannot do Digest), or with the web page's session.
A refused upgrade gets the CGIs' answer: 401 with the Digest challenge, 403,
or 429 while the address is blocked.

The client subscribes with `events:configure` (JSON-RPC, one eventFilterList
of topic and content filters; each configure replaces the last) and is then
sent `events:notify` for every event that fits a filter, once per filter
that fits, as AXIS devices do. Right after the reply to a configure it is
sent the state of every stateful event instance that fits: that is how a
subscriber learns the states (Home Assistant makes its entities from these
first sightings). Values are text, booleans "1" and "0", the timestamp in ms.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
from redis.exceptions import RedisError

from herald.access import Level
from herald.bus import BusError
from herald.events import contract
from herald.events.contract import Notification
from herald_web.accounts.models import Account
from herald_web.accounts.sockets import BusConsumer
from herald_web.device import bus
from herald_web.events.filters import EventFilter
from herald_web.events.instances import as_text
from herald_web.security import add_security_headers
from herald_web.vapix.jsonapi import MODERN, JsonApiError
from herald_web.vapix.registry import Endpoint, admit, unauthorized
from herald_web.vapix.replies import text

log = logging.getLogger(__name__)

PATH = "vapix/ws-data-stream"
API_VERSION = "1.0"
CONFIGURE = "events:configure"
ERRORS = {**MODERN, "too_large": 2107}
MAX_REQUEST = 64 * 1024  # characters in one request
MAX_FILTERS = 64
TOKEN_PREFIX = "herald:wssession:"
TOKEN_SECONDS = 15
_TOKEN = re.compile(r"[0-9a-f]{32}")


def issue_token(user: Any) -> str:
    """A token that opens one stream for `user` (an account, or anonymous) within 15 s."""
    token = secrets.token_hex(16)
    bus().redis.set(TOKEN_PREFIX + token, user.pk if user.is_authenticated else "",
                    ex=TOKEN_SECONDS)
    return token


def _redeem(token: str) -> Any:
    """Whom the token was issued to, None if it is unknown, used or expired."""
    held = bus().redis.getdel(TOKEN_PREFIX + token) if _TOKEN.fullmatch(token) else None
    if held is None:
        return None
    return Account.objects.filter(pk=int(held)).first() if held else AnonymousUser()


def notify_message(notification: Notification) -> dict[str, Any]:
    """events:notify as AXIS devices send it: every value as text, the time in ms."""
    return {"apiVersion": API_VERSION, "method": "events:notify", "params": {"notification": {
        "timestamp": round(notification.timestamp * 1000), "topic": notification.topic,
        "message": {part: {name: as_text(value) for name, value in values.items()}
                    for part, values in (("source", notification.source),
                                         ("key", notification.key),
                                         ("data", notification.data))}}}}


def current_states(instances: list[dict[str, Any]], states: list[dict[str, Any]],
                   now: float) -> list[Notification]:
    """The events service's STATES as notifications, items named as INSTANCES names them."""
    kinds = {kind["topic"]: kind for kind in instances}
    return [Notification(state["topic"],
                         {kind["source"]["name"]: state["source"]} if kind["source"] else {},
                         {kind["data"]["name"]: state["value"]}, now, stateful=True, initial=True)
            for state in states if (kind := kinds.get(state["topic"])) and kind["stateful"]]


def _filters(params: dict[str, Any]) -> list[EventFilter]:
    """A configure's filters, all good or none: a bad one names its place in the list."""
    listed = params.get("eventFilterList")
    if listed is None:
        raise JsonApiError("missing", "params.eventFilterList is required")
    if not isinstance(listed, list):
        raise JsonApiError("invalid", "params.eventFilterList must be a list")
    if len(listed) > MAX_FILTERS:
        raise JsonApiError("invalid", f"params.eventFilterList holds more than {MAX_FILTERS}")
    filters = []
    for index, raw in enumerate(listed):
        try:
            filters.append(EventFilter.from_dict(raw))
        except ValueError as exc:
            raise JsonApiError("invalid", f"eventFilterList[{index}]: {exc}") from None
    return filters


def _http_scope(scope: dict[str, Any]) -> dict[str, Any]:
    """The upgrade request as the HTTP GET it is, for Django and Digest."""
    return {**scope, "type": "http", "method": "GET",
            "scheme": "https" if scope.get("scheme") == "wss" else "http"}


class EventStream(BusConsumer):
    """One subscriber's stream; AccessConsumer closes it if the account loses its rights."""

    access_level = Level.VIEWER

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        refusal, user = await database_sync_to_async(self._authenticate)(query)
        sources = ",".join(query.get("sources", ["events"])).split(",")
        if refusal is None and "events" not in sources:
            refusal = text("The stream has sources=events only: this device has no other.\n", 400)
        if refusal is not None:
            await self._deny(refusal)
            return
        self.scope["user"] = user
        await super().connect()

    def _authenticate(self, query: dict[str, list[str]]) -> tuple[HttpResponse | None, Any]:
        """(refusal, None), or (None, the account or anonymous visitor)."""
        if "wssession" in query:
            user = _redeem(query["wssession"][0])
            return (unauthorized(), None) if user is None else (None, user)
        request = ASGIRequest(_http_scope(self.scope), io.BytesIO())
        session_user = self.scope.get("user")
        if session_user is not None and session_user.is_authenticated and \
                "HTTP_AUTHORIZATION" not in request.META:
            return None, session_user
        refusal = admit(request, ENDPOINT)
        return (refusal, None) if refusal is not None else (None, request.user)

    async def _deny(self, response: HttpResponse) -> None:
        """Answer the upgrade with `response` instead of a websocket."""
        add_security_headers(response, secure=False)
        await self.base_send({
            "type": "websocket.http.response.start", "status": response.status_code,
            "headers": [(k.lower().encode(), v.encode()) for k, v in response.items()]})
        await self.base_send({"type": "websocket.http.response.body", "body": response.content})

    async def joined(self) -> None:
        self.filters: list[EventFilter] = []
        self.lock = asyncio.Lock()  # a configure and its initial states go out whole
        await self.follow(contract.NOTIFY)
        self.run(self._forward())

    async def _forward(self) -> None:
        """Send on every event that fits. A stream that loses the bus closes
        (1011: the server's trouble) so that its client reconnects, rather than
        waiting on a stream gone quiet for good."""
        try:
            async for event in self.events:
                try:
                    notification = Notification.from_dict(event.data["notification"])
                except (KeyError, TypeError, ValueError) as exc:
                    log.warning("dropped an event notification of unknown shape: %s", exc)
                    continue
                async with self.lock:
                    await self._send(notification)
        except RedisError as exc:
            log.warning("an event stream lost the bus, and closes: %s", exc)
            await self.close(code=1011)

    async def _send(self, notification: Notification) -> None:
        for wanted in self.filters:
            if wanted.matches(notification):
                await self.send_json(notify_message(notification))

    async def _current(self) -> list[Notification]:
        try:
            instances = await self.bus.call(contract.SERVICE, contract.INSTANCES)
            states = await self.bus.call(contract.SERVICE, contract.STATES)
        except BusError as exc:
            raise JsonApiError("internal", f"the device's events service did not answer "
                               f"({exc}); try again in a moment") from None
        for answer in (instances, states):
            if not answer.get("ok"):
                raise JsonApiError("internal", answer.get("message", "the events service refused"))
        return current_states(instances["instances"], states["states"], time.time())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None,
                      **kwargs: Any) -> None:
        reply: dict[str, Any] = {"apiVersion": API_VERSION}
        try:
            request = self._request(text_data)
            if "context" in request:
                reply["context"] = request["context"]
            method, version = request.get("method"), request.get("apiVersion")
            if isinstance(method, str):
                reply["method"] = method
            if not isinstance(method, str) or not isinstance(version, str):
                raise JsonApiError("missing", "apiVersion and method are required")
            if not re.fullmatch(r"1(\.0)?", version):
                raise JsonApiError("version", f"apiVersion {version!r:.20} is not supported: "
                                   f"use {API_VERSION}")
            reply["apiVersion"] = version
            if method != CONFIGURE:
                raise JsonApiError("method", f"method {method!r:.40} is not supported: "
                                   f"use {CONFIGURE}")
            params = request.get("params")
            if not isinstance(params, dict):
                raise JsonApiError("missing", "params with an eventFilterList is required")
            await self._configure(_filters(params), reply)
            return
        except JsonApiError as error:
            reply["error"] = {"code": ERRORS[error.kind], "message": str(error)}
        await self.send_json(reply)

    @staticmethod
    def _request(text_data: str | None) -> dict[str, Any]:
        if text_data is None:
            raise JsonApiError("json", "requests are JSON in text frames")
        if len(text_data) > MAX_REQUEST:
            raise JsonApiError("too_large", f"the request is larger than {MAX_REQUEST} characters")
        try:
            request = json.loads(text_data)
        except (ValueError, RecursionError):
            raise JsonApiError("json") from None
        if not isinstance(request, dict):
            raise JsonApiError("json", "the request must be a JSON object")
        return request

    async def _configure(self, filters: list[EventFilter], reply: dict[str, Any]) -> None:
        """Take the new filters, say so, then send the current states that fit them."""
        async with self.lock:
            current = await self._current()
            self.filters = filters
            await self.send_json({**reply, "data": {}})
            for notification in current:
                await self._send(notification)


application = EventStream.as_asgi()
ENDPOINT = Endpoint(PATH, application, Level.VIEWER, first_visit=False, methods=("GET",))
