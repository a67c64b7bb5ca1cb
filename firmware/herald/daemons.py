"""What every Herald daemon does around its services: serve until systemd
(SIGTERM) or a person (Ctrl-C) stops it, and end with the error if serving
fails, so systemd restarts the daemon. A lost connection to Redis (restarted,
or not up yet at boot) is not such a failure: the daemon waits for Redis to
answer and starts its services again in the same process, a second after
Redis is back instead of a systemd restart and a fresh Python start later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

import redis

from herald.bus import AsyncBus, Handler
from herald.environment import Environment, current, keep_files_private
from herald.memory import limit_malloc_arenas
from herald.system import logs

log = logging.getLogger(__name__)


def port(variable: str, default: int) -> int:
    """A port from the environment; a bad value is said and the default used."""
    raw = os.environ.get(variable, "")
    if raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    if raw:
        log.error("%s=%r is not a port: using %d", variable, raw, default)
    return default


# Set by SIGTERM or Ctrl-C: the daemon ends, and no lost Redis restarts it,
# even when the signal comes as its services are already shutting down.
STOPPING = threading.Event()


async def serve_until_stopped(serving: Coroutine[Any, Any, None], name: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def request_stop() -> None:
        STOPPING.set()
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_stop)
    task = asyncio.create_task(serving, name=name)
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stopped):
        pending.cancel()
    await asyncio.gather(task, stopped, return_exceptions=True)
    if task in done and not task.cancelled() and task.exception() is not None:
        raise task.exception()


class Service(Protocol):
    """A service a daemon serves on the bus."""

    @property
    def handlers(self) -> Mapping[str, Handler]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def serve_services(bus: AsyncBus, services: Mapping[str, Service],
                         concurrent: bool = False) -> None:
    """Start the services (by their names on the bus), answer their calls until
    stopped, then stop them (the last started first) and close the bus."""
    started: list[Service] = []
    try:
        for name, service in services.items():
            await service.start()
            started.append(service)
            log.info("the %s service is running", name)
        async def serve_all() -> None:
            await asyncio.gather(*(bus.serve(name, service.handlers, concurrent=concurrent)
                                   for name, service in services.items()))
        await serve_until_stopped(serve_all(), "serve " + ", ".join(services))
    finally:
        for service in reversed(started):
            await service.stop()
        await bus.close()


REDIS_POLL_SECONDS = 0.2


def run_daemon(process: str, run: Callable[[Environment], Coroutine[Any, Any, None]],
               around: Callable[[Environment], AbstractContextManager[None]] | None = None,
               ) -> None:
    """A daemon's main(): its log set up as `process`, then `run` until stopped,
    again each time the connection to Redis is lost and Redis answers again;
    `around` is entered once, for what must outlive those restarts."""
    limit_malloc_arenas()
    environment = current()
    keep_files_private(environment)
    logs.setup(process, environment)
    with around(environment) if around else contextlib.nullcontext():
        while True:
            try:
                asyncio.run(run(environment))
                return
            except redis.ConnectionError as exc:
                if STOPPING.is_set():
                    return
                log.warning("lost the connection to Redis (%s); the services start again "
                            "once it answers", exc)
            wait_for_redis(environment.redis_url)
            log.info("Redis answers again: starting the services")


def wait_for_redis(url: str) -> None:
    """Return once Redis answers PING (it may be restarting, or loading its data)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        while True:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                pass
            time.sleep(REDIS_POLL_SECONDS)
    finally:
        client.close()
