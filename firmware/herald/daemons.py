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
from herald.environment import Environment, current
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


async def serve_service(bus: AsyncBus, name: str, service: Service,
                        concurrent: bool = False) -> None:
    """Start `service`, answer its calls until stopped, then stop it and close the bus."""
    try:
        await service.start()
        log.info("the %s service is running", name)
        await serve_until_stopped(bus.serve(name, service.handlers, concurrent=concurrent),
                                  f"serve {name}")
    finally:
        await service.stop()
        await bus.close()


def run_daemon(process: str, run: Callable[[Environment], Coroutine[Any, Any, None]]) -> None:
    """A daemon's main(): its log set up as `process`, then `run` until stopped."""
    limit_malloc_arenas()
    environment = current()
    logs.setup(process, environment)
    asyncio.run(run(environment))
