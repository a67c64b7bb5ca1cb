"""The level meters' websocket: the speaker's and the microphone's levels as
the engine measures them, ten times a second, and whether the sound level
is over the detection threshold."""

from __future__ import annotations

import asyncio
import contextlib

from herald.access import Level
from herald.audio import contract
from herald_web.accounts.sockets import AccessConsumer
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
                await self.send_json({"input": contract.InputLevel.from_dict(event.data).level})
            elif event.topic == contract.LEVEL_OUTPUT:
                await self.send_json({"output": contract.OutputLevel.from_dict(event.data).level})
            else:
                crossing = contract.SoundLevelCrossing.from_dict(event.data)
                await self.send_json({"triggered": crossing.above})
