"""The device as this web process sees it: one bus, one parameter store."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from herald.bus import AsyncBus, Bus
from herald.params import ParamStore, default_tree


@cache
def bus() -> Bus:
    return Bus(settings.REDIS_URL, source="web")


def async_bus() -> AsyncBus:
    """A new asyncio bus: each event loop (websocket consumer) needs its own."""
    return AsyncBus(settings.REDIS_URL, source="web")


@cache
def params() -> ParamStore:
    return ParamStore(settings.ENVIRONMENT.database, default_tree(), bus())
