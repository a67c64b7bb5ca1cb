"""The Logs page's websocket: the network trace's progress, its section
re-rendered and sent whole (as the live sections of herald.js take them) on
every change of the trace's bus state."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.template.loader import render_to_string

from herald.access import Level
from herald.bus import state_event
from herald_web.accounts.sockets import BusConsumer
from herald_web.system import trace


def _section() -> str:
    return render_to_string("system/trace.html", trace.facts())


class TraceConsumer(BusConsumer):
    access_level = Level.ADMIN

    async def joined(self) -> None:
        await self.follow(state_event(trace.TRACE))  # before the first send: no change is missed
        await self._send()
        self.run(self._listen())

    async def _listen(self) -> None:
        async for _event in self.events:
            await self._send()

    async def _send(self) -> None:
        await self.send_json({"sections": {"trace": await sync_to_async(_section)()}})
