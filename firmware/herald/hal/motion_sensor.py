"""The PIR motion sensor: ``sensor.when_motion``, ``sensor.motion_detected``."""

from __future__ import annotations

from herald.hal.inputs import Callback, DigitalInput, InputLine, run_callback


class MotionSensor(DigitalInput):
    def __init__(self, line: InputLine) -> None:
        self.when_motion: Callback = None
        self.when_no_motion: Callback = None
        super().__init__(line)

    @property
    def motion_detected(self) -> bool:
        return self.is_active

    def wait_for_motion(self, timeout: float | None = None) -> bool:
        return self.wait_for(True, timeout)

    def wait_for_no_motion(self, timeout: float | None = None) -> bool:
        return self.wait_for(False, timeout)

    def _activated(self) -> None:
        run_callback(self.when_motion)

    def _deactivated(self) -> None:
        run_callback(self.when_no_motion)
