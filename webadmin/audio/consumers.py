"""The level meters' websocket: the speaker's and the microphone's levels as
the engine measures them, ten times a second, and whether the sound level
is over the detection threshold."""

from __future__ import annotations

import asyncio
import contextlib

from accounts.access import AccessConsumer
from herald.access import Level
from herald.audio import contract
from herald_web.device import async_bus


class LevelConsumer(AccessConsumer):
    access_level = Level.OPERATOR

    async def joined(self) -> None:
        self.bus = async_bus()
        self.task = asyncio.create_task(self._forward())

    async def left(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.bus.close()

    async def _forward(self) -> None:
        async for event in self.bus.listen(contract.LEVELS, contract.SOUND_LEVEL_CROSSED):
            if event.topic == contract.LEVEL_INPUT:
                await self.send_json({"input": event.data.get("level")})
            elif event.topic == contract.LEVEL_OUTPUT:
                await self.send_json({"output": event.data.get("level")})
            else:
                await self.send_json({"triggered": event.data.get("direction") == "above"})
