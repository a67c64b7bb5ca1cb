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
from herald_web.accounts.sockets import BusConsumer
from herald_web.status.sections import SECTIONS, facts, render

SETTLE_SECONDS = 0.1  # a burst of changes is sent as one update
REFRESH_SECONDS = 30


class StatusConsumer(BusConsumer):
    access_level = Level.VIEWER

    async def joined(self) -> None:
        self.sent: dict[str, str] = {}
        self.changed = asyncio.Event()
        # Subscribed before the first render: no change in between is missed.
        await self.follow(EVERY_STATE, CHANGED)
        self.run(self._listen())
        self.run(self._update())

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
