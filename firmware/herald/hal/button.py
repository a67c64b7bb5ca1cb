"""The control button: pressed, released, held (``button.when_held``)."""

from __future__ import annotations

import threading

from herald.hal.inputs import Callback, DigitalInput, InputLine, run_callback


class Button(DigitalInput):
    """A push button. A press lasting `hold_time` seconds runs when_held once;
    while when_released runs, `is_held` still says whether that press was held.
    A button already down when the part is made counts as pressed from then."""

    def __init__(self, line: InputLine, hold_time: float = 1.0) -> None:
        if not 0 < hold_time <= 3600:
            raise ValueError(f"hold_time must be above 0 and at most 3600 s, not {hold_time!r}")
        self.hold_time = hold_time
        self.when_pressed: Callback = None
        self.when_released: Callback = None
        self.when_held: Callback = None
        self._held = False
        self._holding: threading.Timer | None = None
        super().__init__(line)
        if self.is_pressed:
            self._start_hold()

    @property
    def is_pressed(self) -> bool:
        return self.is_active

    @property
    def is_held(self) -> bool:
        return self._held

    def wait_for_press(self, timeout: float | None = None) -> bool:
        return self.wait_for(True, timeout)

    def wait_for_release(self, timeout: float | None = None) -> bool:
        return self.wait_for(False, timeout)

    def close(self) -> None:
        self._stop_hold()
        super().close()

    def _activated(self) -> None:
        self._start_hold()
        run_callback(self.when_pressed)

    def _deactivated(self) -> None:
        self._stop_hold()
        run_callback(self.when_released)
        self._held = False

    def _start_hold(self) -> None:
        self._stop_hold()
        self._holding = threading.Timer(self.hold_time, self._hold)
        self._holding.daemon = True
        self._holding.start()

    def _stop_hold(self) -> None:
        if self._holding is not None:
            self._holding.cancel()
            self._holding = None

    def _hold(self) -> None:
        if self.is_pressed:
            self._held = True
            run_callback(self.when_held)
