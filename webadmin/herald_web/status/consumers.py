"""The Status page's websocket: every change on the bus (state of a service,
a parameter) re-renders the sections and sends those that changed; a quiet
bus still gets a refresh every `REFRESH_SECONDS`."""

from __future__ import annotations

import asyncio
import contextlib

from channels.db import database_sync_to_async

from herald.access import Level
from herald.bus import EVERY_STATE
from herald.params.contract import CHANGED
from herald_web.accounts.sockets import AccessConsumer
from herald_web.device import async_bus
from herald_web.status.sections import SECTIONS, facts, render

SETTLE_SECONDS = 0.1  # a burst of changes is sent as one update
REFRESH_SECONDS = 30


class StatusConsumer(AccessConsumer):
    access_level = Level.VIEWER

    async def joined(self) -> None:
        self.sent: dict[str, str] = {}
        self.changed = asyncio.Event()
        self.bus = async_bus()
        # Subscribed before the first render: no change in between is missed.
        self.events = await self.bus.subscribe(EVERY_STATE, CHANGED)
        self.tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._update())]

    async def left(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.events.close()
        await self.bus.close()

    async def _listen(self) -> None:
        async for _event in self.events:
            self.changed.set()

    async def _update(self) -> None:
        while True:
            await self._send_changed()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), REFRESH_SECONDS)
                await asyncio.sleep(SETTLE_SECONDS)
            self.changed.clear()

    async def _send_changed(self) -> None:
        rendered = await database_sync_to_async(
            lambda: render(facts(self._current_level())))()
        sections = {name: rendered.get(name, "") for name in SECTIONS}
        changed = {name: html for name, html in sections.items() if self.sent.get(name) != html}
        if changed:
            self.sent.update(changed)
            await self.send_json({"sections": changed})
