"""The system service inside herald-core: it keeps the system's facts on the
bus for the Status page (time sync, connected clients; contract.py) and the
log files on the data partition bounded."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from herald.bus import AsyncBus
from herald.environment import Environment
from herald.payload import Payload
from herald.system import connections, contract, logs, timesync

log = logging.getLogger(__name__)

REFRESH_SECONDS = 10.0
ROTATE_SECONDS = 300.0


class SystemService:
    def __init__(self, bus: AsyncBus, environment: Environment,
                 refresh_seconds: float = REFRESH_SECONDS,
                 rotate_seconds: float = ROTATE_SECONDS) -> None:
        self.bus, self.environment = bus, environment
        self.refresh_seconds, self.rotate_seconds = refresh_seconds, rotate_seconds
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self.tasks = [
            asyncio.create_task(self._every(self.refresh_seconds, self.refresh), name="facts"),
            asyncio.create_task(self._every(self.rotate_seconds, self.rotate), name="logs"),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def refresh(self) -> None:
        """Publish time sync and connected clients when they differ from the bus's."""
        facts: dict[str, Payload] = {
            contract.TIME: await asyncio.to_thread(timesync.status),
            contract.CLIENTS: contract.Clients(await asyncio.to_thread(connections.connected)),
        }
        state = await self.bus.state()
        for key, payload in facts.items():
            value = json.loads(json.dumps(payload.to_dict()))  # as the bus gives it back
            if state.get(key) != value:
                await self.bus.set_state(key, value)

    async def rotate(self) -> None:
        rotated = await asyncio.to_thread(logs.rotate, self.environment)
        if rotated:
            log.info("rotated %s", ", ".join(rotated))

    @staticmethod
    async def _every(seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job` now and then every `seconds`; a failure is logged, not fatal."""
        while True:
            try:
                await job()
            except Exception:  # the bus or /proc may hiccup; the next round tries again
                log.exception("system service: %s failed", job.__name__)
            await asyncio.sleep(seconds)
