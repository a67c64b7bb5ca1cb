"""The microphone disable switch: it turns the microphone off mechanically.

Its line is active while the microphone is off (as the kernel's
SW_MUTE_DEVICE is 1 while muted); ``is_on`` says what a person reads on it.
"""

from __future__ import annotations

from herald.hal.inputs import Callback, DigitalInput, InputLine, run_callback


class MicSwitch(DigitalInput):
    def __init__(self, line: InputLine) -> None:
        self.when_on: Callback = None
        self.when_off: Callback = None
        super().__init__(line)

    @property
    def is_on(self) -> bool:
        return not self.is_active

    def wait_for_on(self, timeout: float | None = None) -> bool:
        return self.wait_for(False, timeout)

    def wait_for_off(self, timeout: float | None = None) -> bool:
        return self.wait_for(True, timeout)

    def _activated(self) -> None:
        run_callback(self.when_off)

    def _deactivated(self) -> None:
        run_callback(self.when_on)
