"""The Logs page's websocket: the network trace's progress, its section
re-rendered and sent whole (as the live sections of herald.js take them) on
every change of the trace's bus state."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.template.loader import render_to_string

from herald.access import Level
from herald.bus import state_event
from herald_web.accounts.sockets import StateConsumer
from herald_web.system import trace


def _section() -> str:
    return render_to_string("system/trace.html", trace.facts())


class TraceConsumer(StateConsumer):
    access_level = Level.ADMIN
    patterns = (state_event(trace.TRACE),)

    async def message(self) -> dict[str, Any]:
        return {"sections": {"trace": await sync_to_async(_section)()}}
