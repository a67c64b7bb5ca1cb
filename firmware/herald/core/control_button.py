"""The control button, as the manual describes it.

Pressed and released, it plays the speaker test's tone. Held while the
power comes on, it resets the device to factory default: the status LED is
amber from power-on, turns amber a second time after FACTORY_DEFAULT_SECONDS,
and once the button is released the system service resets the device
(herald.system owns the data layout), the LED turns green and the device
restarts. The button's callbacks come on its own thread; the work is
handed to herald-core's event loop.
"""

from __future__ import annotations

import asyncio
import logging

from herald.audio.service import AudioService
from herald.bus import AsyncBus
from herald.core import contract as board
from herald.hal.button import Button
from herald.hal.led import StatusLED
from herald.system import contract as system

log = logging.getLogger("herald.core")

BY = "the control button"
RESET_SECONDS = 120.0  # clearing the data partition of a slow device


class ControlButton:
    def __init__(self, button: Button, led: StatusLED | None) -> None:
        self.button, self.led = button, led
        self.at_power_on = button.is_pressed
        self.attached: tuple[AudioService, AsyncBus, asyncio.AbstractEventLoop] | None = None
        if self.at_power_on:
            log.warning("the control button is held at power-on: factory default after %g s",
                        button.hold_time)
            self._show("amber")
        button.when_pressed = self._pressed
        button.when_held = self._held
        button.when_released = self._released

    async def attach(self, audio: AudioService, bus: AsyncBus) -> None:
        """What the button acts on, for this run of herald-core; its state on the
        bus (board.BUTTON) for the events service."""
        self.attached = (audio, bus, asyncio.get_running_loop())
        await bus.set_state(board.BUTTON, self.button.is_pressed)

    def _pressed(self) -> None:
        if self.attached is not None:
            _, bus, loop = self.attached
            asyncio.run_coroutine_threadsafe(bus.set_state(board.BUTTON, True), loop)

    def _held(self) -> None:
        if self.at_power_on and self.led is not None:
            self.led.off()
            self.led.on("amber")  # the second time: the manual says to release now

    def _released(self) -> None:
        if self.attached is None:
            return
        audio, bus, loop = self.attached
        asyncio.run_coroutine_threadsafe(bus.set_state(board.BUTTON, False), loop)
        if self.at_power_on:
            self.at_power_on = False
            if self.button.is_held:
                asyncio.run_coroutine_threadsafe(self._factory_default(bus), loop)
            else:
                log.warning("the control button was let go before %g s: no factory default",
                            self.button.hold_time)
                if self.led is not None:
                    self.led.off()  # unlit: normal operation
        elif not self.button.is_held:
            log.info("the control button plays the speaker test's tone")
            loop.call_soon_threadsafe(audio.speaker_test.play_tone)

    async def _factory_default(self, bus: AsyncBus) -> None:
        try:
            answer = await bus.call(system.SERVICE, system.RESET, RESET_SECONDS,
                                    mode=system.HARD, by=BY)
            if not answer.get("ok"):
                raise RuntimeError(answer.get("message", "the system service refused"))
        except Exception as error:
            log.error("the factory default failed: %s", error)
            self._show("red")
            return
        self._show("green")
        await bus.call(system.SERVICE, system.RESTART, by=BY)

    def _show(self, colour: str) -> None:
        if self.led is not None:
            self.led.on(colour)
