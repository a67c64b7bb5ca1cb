"""The one bus every Herald service shares, over Redis.

Three things travel on it:

- events: facts that happened ("audio.clip.started"), published on the
  pub/sub channel ``herald:event:<topic>``; anyone may listen, nobody answers;
- state: what is true now ("audio.clip.playing"), kept in the hash
  ``herald:state`` so a page loaded late still sees it; every change is also
  published as the event ``state.<key>``;
- calls: a request from the web or a worker to a core service ("audio",
  "play_clip") with a reply, through the list ``herald:call:<service>``. A call
  to a service that is not running fails with `ServiceUnavailable` instead of
  hanging.

`Bus` is for synchronous code (Django views, Celery tasks), `AsyncBus` for the
asyncio core services. Both speak the same JSON messages, built and checked by
the helpers below.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

EVENT_PREFIX = "herald:event:"
STATE_KEY = "herald:state"
CALL_PREFIX = "herald:call:"
REPLY_PREFIX = "herald:reply:"
REPLY_TTL_SECONDS = 30
DEFAULT_CALL_TIMEOUT = 5.0
SUBSCRIBE_TIMEOUT = 5.0
PING = "ping"  # every core service answers it with {"ok": true} while it works
# The clients' side (`Bus`: web views, workers) fails a Redis command not
# answered within REPLY_SECONDS (redis.TimeoutError), so a frozen Redis costs
# a request about a second, not forever; a broken connection (Redis restarted)
# is retried once at once, a timeout never (redis-py's default would retry it
# with backoff). Waits for a reply go to Redis in slices shorter than that (a
# slice Redis answers late is not an error: the wait goes on to the call's
# deadline, so a long call outlives a busy moment of Redis), and subscriptions,
# quiet for as long as nothing happens, have no read timeout.
# The services' side (`AsyncBus`) waits for a frozen Redis, as it waits for
# calls: no read timeout there.
REPLY_SECONDS = 1.5
WAIT_SLICE_SECONDS = 0.5
CLIENT_OPTIONS: dict[str, Any] = {"socket_timeout": REPLY_SECONDS, "socket_connect_timeout": 2,
                                  "retry": Retry(NoBackoff(), 1, (redis.ConnectionError,))}
LISTEN_OPTIONS = {**CLIENT_OPTIONS, "socket_timeout": None}
SERVICE_OPTIONS: dict[str, Any] = {"socket_timeout": None, "socket_connect_timeout": 5}

Handler = Callable[..., Awaitable[Any]]


class BusError(Exception):
    """A message on the bus could not be understood."""


class ServiceUnavailable(BusError):
    """No core service took the call in time: it is not running or is stuck."""


class CallFailed(BusError):
    """The service took the call and refused it; `str(error)` says why."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Event:
    """One fact that happened, as every subscriber receives it."""

    topic: str
    data: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)
    source: str = ""

    def encode(self) -> str:
        return json.dumps(
            {"topic": self.topic, "data": self.data, "time": self.time, "source": self.source}
        )

    @classmethod
    def decode(cls, raw: bytes | str) -> Event:
        message = _load_object(raw)
        topic, data = message.get("topic"), message.get("data", {})
        if not isinstance(topic, str) or not topic or not isinstance(data, dict):
            raise BusError(f"not an event: {raw!r:.200}")
        return cls(topic, data, float(message.get("time", 0.0)), str(message.get("source", "")))


def _load_object(raw: bytes | str) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BusError(f"not JSON: {raw!r:.200}") from exc
    if not isinstance(message, dict):
        raise BusError(f"not a JSON object: {raw!r:.200}")
    return message


def _check_topic(topic: str) -> str:
    if not topic or any(c in topic for c in " *?[]"):
        raise ValueError(f"bad topic {topic!r}: dotted words, no spaces or wildcards")
    return topic


def _request(method: str, params: Mapping[str, Any], timeout: float) -> tuple[str, str]:
    """A call's id and message; past its deadline (wall clock: caller and service
    share the machine) the caller has given up, and the service drops it unread."""
    call_id = uuid.uuid4().hex
    body = json.dumps({"id": call_id, "method": method, "params": dict(params),
                       "deadline": time.time() + timeout})
    return call_id, body


def _slice(deadline: float) -> float:
    """How long the next wait for a reply may block: 0 (none left) ends the wait."""
    left = deadline - time.monotonic()
    return 0.0 if left <= 0 else max(0.01, min(left, WAIT_SLICE_SECONDS))


def _reply_value(raw: bytes) -> Any:
    reply = _load_object(raw)
    if "error" in reply:
        error = reply["error"]
        raise CallFailed(str(error.get("kind", "Error")), str(error.get("message", "")))
    return reply.get("result")


def state_event(key: str) -> str:
    """The topic of the event that announces a change of state `key`."""
    return f"state.{key}"


EVERY_STATE = state_event("*")  # the events of every change of state


def _state_changed(key: str, value: Any, source: str) -> Event:
    return Event(state_event(key), {"key": key, "value": value}, source=source)


class Bus:
    """Synchronous side of the bus, for Django views and Celery tasks."""

    def __init__(self, url: str, source: str = "") -> None:
        self.url = url
        self.redis = redis.Redis.from_url(url, **CLIENT_OPTIONS)
        self.source = source

    def publish(self, topic: str, **data: Any) -> Event:
        event = Event(_check_topic(topic), data, source=self.source)
        self.redis.publish(EVENT_PREFIX + topic, event.encode())
        return event

    def set_state(self, key: str, value: Any) -> None:
        """Record what is true now (None removes it) and announce the change."""
        _check_topic(key)
        if value is None:
            self.redis.hdel(STATE_KEY, key)
        else:
            self.redis.hset(STATE_KEY, key, json.dumps(value))
        event = _state_changed(key, value, self.source)
        self.redis.publish(EVENT_PREFIX + event.topic, event.encode())

    def state(self) -> dict[str, Any]:
        return {k.decode(): json.loads(v) for k, v in self.redis.hgetall(STATE_KEY).items()}

    def call(
        self, service: str, method: str, timeout: float = DEFAULT_CALL_TIMEOUT, **params: Any
    ) -> Any:
        """Ask a core service to do something and return its answer."""
        call_id, body = _request(method, params, timeout)
        deadline = time.monotonic() + timeout
        self.redis.rpush(CALL_PREFIX + service, body)
        key = REPLY_PREFIX + call_id
        while wait := _slice(deadline):
            try:
                # Moved onto itself, the reply stays where it is (its time to
                # live clears it): a read Redis answers too late for, on a busy
                # device during a long call, loses nothing; the next one finds it.
                reply = self.redis.blmove(key, key, wait, "LEFT", "LEFT")
            except redis.TimeoutError:
                log.warning("Redis was slow to answer while %s.%s ran; still waiting",
                            service, method)
                continue
            if reply is not None:
                return _reply_value(reply)
        # Take back the request so a service that starts later does not run it.
        self.redis.lrem(CALL_PREFIX + service, 1, body)
        raise ServiceUnavailable(f"the {service} service did not answer within {timeout:g} s")

    def listen(self, *patterns: str) -> Iterator[Event]:
        """Yield events whose topic matches any glob pattern ("audio.*"), forever."""
        pubsub = redis.Redis.from_url(self.url, **LISTEN_OPTIONS).pubsub(
            ignore_subscribe_messages=True)
        pubsub.psubscribe(*(EVENT_PREFIX + p for p in patterns))
        try:
            for message in pubsub.listen():
                event = _decode_or_log(message["data"])
                if event is not None:
                    yield event
        finally:
            pubsub.close()


def _decode_or_log(raw: bytes) -> Event | None:
    try:
        return Event.decode(raw)
    except BusError as exc:
        log.warning("dropped a malformed event: %s", exc)
        return None


class Subscription:
    """Events on the patterns `AsyncBus.subscribe` subscribed to, as they come."""

    def __init__(self, pubsub: aioredis.client.PubSub) -> None:
        self._pubsub = pubsub

    async def __aiter__(self) -> AsyncIterator[Event]:
        async for message in self._pubsub.listen():
            if message["type"] == "pmessage":
                event = _decode_or_log(message["data"])
                if event is not None:
                    yield event

    async def close(self) -> None:
        await self._pubsub.aclose()


class AsyncBus:
    """Asyncio side of the bus, for the core services and websocket consumers."""

    def __init__(self, url: str, source: str = "") -> None:
        self.redis = aioredis.Redis.from_url(url, **SERVICE_OPTIONS)
        self.source = source
        # Changes of state are stored and announced in the order they were made:
        # each command may take another connection of the pool, and a button
        # pressed and let go at once was otherwise left "pressed" now and then.
        self._states = asyncio.Lock()

    async def close(self) -> None:
        await self.redis.aclose()

    async def publish(self, topic: str, **data: Any) -> Event:
        event = Event(_check_topic(topic), data, source=self.source)
        await self.redis.publish(EVENT_PREFIX + topic, event.encode())
        return event

    async def set_state(self, key: str, value: Any) -> None:
        _check_topic(key)
        event = _state_changed(key, value, self.source)
        async with self._states:
            if value is None:
                await self.redis.hdel(STATE_KEY, key)
            else:
                await self.redis.hset(STATE_KEY, key, json.dumps(value))
            await self.redis.publish(EVENT_PREFIX + event.topic, event.encode())

    async def state(self) -> dict[str, Any]:
        raw = await self.redis.hgetall(STATE_KEY)
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def call(
        self, service: str, method: str, timeout: float = DEFAULT_CALL_TIMEOUT, **params: Any
    ) -> Any:
        call_id, body = _request(method, params, timeout)
        await self.redis.rpush(CALL_PREFIX + service, body)
        reply = await self.redis.blpop([REPLY_PREFIX + call_id], timeout=timeout)
        if reply is None:
            await self.redis.lrem(CALL_PREFIX + service, 1, body)
            raise ServiceUnavailable(f"the {service} service did not answer within {timeout:g} s")
        return _reply_value(reply[1])

    async def subscribe(self, *patterns: str) -> Subscription:
        """Subscribe to topics matching any glob pattern; returns once Redis has
        confirmed, so every event published after this call is received (a page
        that sends what is true now and then the changes misses none in between)."""
        pubsub = self.redis.pubsub()
        await pubsub.psubscribe(*(EVENT_PREFIX + p for p in patterns))
        confirmed = 0
        while confirmed < len(patterns):
            message = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT)
            if message is None:
                await pubsub.aclose()
                raise BusError(f"Redis did not confirm the subscription to {patterns}")
            confirmed += message["type"] == "psubscribe"
        return Subscription(pubsub)

    async def listen(self, *patterns: str) -> AsyncIterator[Event]:
        """Yield events whose topic matches any glob pattern, forever."""
        subscription = await self.subscribe(*patterns)
        try:
            async for event in subscription:
                yield event
        finally:
            await subscription.close()

    async def serve(self, service: str, handlers: Mapping[str, Handler],
                    concurrent: bool = False) -> None:
        """Answer calls to `service` forever, one at a time, in arrival order;
        with `concurrent`, each as it arrives (a long call, such as installing
        firmware, then does not hold up a quick one, such as a status).

        A handler's exception becomes a `CallFailed` at the caller, with the
        exception's class name and message; the service keeps serving.
        """
        queue = CALL_PREFIX + service
        running: set[asyncio.Task] = set()
        try:
            while True:
                _, raw = await self.redis.blpop([queue])
                if not concurrent:
                    await self._answer(raw, handlers)
                    continue
                task = asyncio.create_task(self._answer(raw, handlers))
                running.add(task)
                task.add_done_callback(running.discard)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _answer(self, raw: bytes, handlers: Mapping[str, Handler]) -> None:
        try:
            request = _load_object(raw)
            call_id = str(request["id"])
            method, params = request["method"], request.get("params", {})
            deadline = float(request.get("deadline", "inf"))
        except (BusError, KeyError, TypeError, ValueError) as exc:
            log.warning("dropped a malformed call: %s", exc)
            return
        if time.time() > deadline:
            log.warning("dropped a call to %s that its caller had given up on", method)
            return
        handler = handlers.get(method)
        try:
            if handler is None:
                raise LookupError(f"unknown method {method!r}")
            reply: dict[str, Any] = {"result": await handler(**params)}
        except Exception as exc:  # every failure goes back to the caller
            reply = {"error": {"kind": type(exc).__name__, "message": str(exc)}}
        key = REPLY_PREFIX + call_id
        await self.redis.rpush(key, json.dumps(reply))
        await self.redis.expire(key, REPLY_TTL_SECONDS)
