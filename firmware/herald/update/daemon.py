"""The herald-updater process: the update service on the bus (service.py)."""

from __future__ import annotations

import asyncio
import logging

from herald.bus import AsyncBus
from herald.daemons import serve_until_stopped
from herald.environment import current
from herald.memory import limit_malloc_arenas
from herald.system import logs
from herald.update import contract
from herald.update.service import UpdateService

log = logging.getLogger("herald.updater")


async def run(redis_url: str) -> None:
    bus = AsyncBus(redis_url, source=contract.SERVICE)
    service = UpdateService(bus)
    try:
        await service.start()
        log.info("herald-updater running")
        await serve_until_stopped(
            bus.serve(contract.SERVICE, service.handlers, concurrent=True), "serve update")
    finally:
        await bus.close()


def main() -> None:
    limit_malloc_arenas()
    environment = current()
    logs.setup("herald-updater", environment)
    asyncio.run(run(environment.redis_url))
