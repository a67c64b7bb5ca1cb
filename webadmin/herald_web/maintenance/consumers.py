"""The Maintenance page's websocket: the firmware's state as it changes
(upgrade progress, the Autorollback countdown, the slots), sent whole on
every change of an `update.*` state on the bus. It subscribes before it
sends the first state, so a change in between (the boot gate announcing an
Autorollback trial just as the page loads) is never missed."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from herald.access import Level
from herald.bus import state_event
from herald.update import contract
from herald_web.accounts.sockets import StateConsumer
from herald_web.maintenance.views import firmware_facts


class FirmwareConsumer(StateConsumer):
    access_level = Level.ADMIN
    patterns = (state_event(contract.STATES),)

    async def message(self) -> dict[str, Any]:
        return {"firmware": await database_sync_to_async(firmware_facts)()}
