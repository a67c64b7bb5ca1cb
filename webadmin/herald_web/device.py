"""The device as this web process sees it: one bus, one parameter store, and
the firmware's services to call."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from django.conf import settings

from herald.bus import AsyncBus, Bus, BusError
from herald.params import ParamStore, default_tree

log = logging.getLogger(__name__)

CALL_SECONDS = 30.0


@cache
def bus() -> Bus:
    return Bus(settings.REDIS_URL, source="web")


def async_bus() -> AsyncBus:
    """A new asyncio bus: each event loop (websocket consumer) needs its own."""
    return AsyncBus(settings.REDIS_URL, source="web")


@cache
def params() -> ParamStore:
    return ParamStore(settings.ENVIRONMENT.database, default_tree(), bus())


def call(service: str, method: str, timeout: float = CALL_SECONDS, **params: Any) -> dict[str, Any]:
    """Ask a firmware service; one that does not answer is a refusal that says so."""
    try:
        return bus().call(service, method, timeout=timeout, **params)
    except BusError as exc:
        log.error("the %s service did not answer %s: %s", service, method, exc)
        return {"ok": False, "message": f"The device's {service} service did not answer; "
                                        f"try again in a moment ({exc})."}
