"""The Maintenance page's websocket: the firmware's state as it changes
(upgrade progress, the Autorollback countdown, the slots), sent whole on
every change of an `update.*` state on the bus. It subscribes before it
sends the first state, so a change in between (the boot gate announcing an
Autorollback trial just as the page loads) is never missed."""

from __future__ import annotations

from channels.db import database_sync_to_async

from herald.access import Level
from herald.bus import state_event
from herald.update import contract
from herald_web.accounts.sockets import BusConsumer
from herald_web.maintenance.views import firmware_facts


class FirmwareConsumer(BusConsumer):
    access_level = Level.ADMIN

    async def joined(self) -> None:
        await self.follow(state_event(contract.STATES))
        await self._send()
        self.run(self._listen())

    async def _listen(self) -> None:
        async for _event in self.events:
            await self._send()

    async def _send(self) -> None:
        await self.send_json({"firmware": await database_sync_to_async(firmware_facts)()})
