"""What every Herald daemon does around its services: serve until systemd
(SIGTERM) or a person (Ctrl-C) stops it, and end with the error if serving
fails, so systemd restarts the daemon."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol

from herald.bus import AsyncBus, Handler
from herald.environment import Environment, current, keep_files_private
from herald.memory import limit_malloc_arenas
from herald.system import logs

log = logging.getLogger(__name__)


async def serve_until_stopped(serving: Coroutine[Any, Any, None], name: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
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


def run_daemon(process: str, run: Callable[[Environment], Coroutine[Any, Any, None]]) -> None:
    """A daemon's main(): its log set up as `process`, then `run` until stopped."""
    limit_malloc_arenas()
    environment = current()
    keep_files_private(environment)
    logs.setup(process, environment)
    asyncio.run(run(environment))
