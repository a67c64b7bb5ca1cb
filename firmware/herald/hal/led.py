"""The status LED, read like the part: ``led.on("green")``, ``led.blink("red")``.

The AXIS LED has a red and a green die; amber is both lit. StatusLED keeps
what the LED shows (its LEDState) and hands each change to an output: the
Linux one drives LED class devices (herald.hal.sysfs_led), the simulated
board records it for tests and the virtual board. A pattern of n cycles
ends with the LED off, as gpiozero's LEDs do.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Protocol

PATTERNS = ("off", "steady", "blink", "pulse")


@dataclass(frozen=True)
class LEDState:
    """What a person looking at the LED sees."""

    colour: str | None = None  # None when off
    brightness: float = 0.0
    pattern: str = "off"
    on_time: float = 0.0  # a pulse's fade-in time
    off_time: float = 0.0  # a pulse's fade-out time

    @property
    def dies(self) -> tuple[float, float]:
        """The (red, green) levels while lit: amber is both."""
        if self.colour is None:
            return (0.0, 0.0)
        red = self.brightness if self.colour in ("red", "amber") else 0.0
        green = self.brightness if self.colour in ("green", "amber") else 0.0
        return (red, green)


OFF = LEDState()


class LEDOutput(Protocol):
    """Where an LED's state goes: hardware or the simulated board."""

    def show(self, state: LEDState) -> None: ...

    def close(self) -> None:
        """Stop timing a blink or pulse, if the output does that itself."""


class StatusLED:
    COLOURS = ("red", "green", "amber")  # amber is red and green together on the AXIS LED

    def __init__(self, output: LEDOutput) -> None:
        self._output = output
        self._lock = threading.Lock()
        self._state = OFF
        self._ending: threading.Timer | None = None
        output.show(OFF)

    @property
    def state(self) -> LEDState:
        return self._state

    @property
    def is_lit(self) -> bool:
        return self._state.pattern != "off"

    def on(self, colour: str = "green", brightness: float = 1.0) -> None:
        self._show(LEDState(_colour(colour), _brightness(brightness), "steady"), None)

    def off(self) -> None:
        self._show(OFF, None)

    def blink(self, colour: str, on_time: float = 1.0, off_time: float = 1.0,
              n: int | None = None, brightness: float = 1.0) -> None:
        """Returns at once; n=None blinks until told otherwise."""
        self._show(LEDState(_colour(colour), _brightness(brightness), "blink",
                            _seconds("on_time", on_time), _seconds("off_time", off_time)), n)

    def pulse(self, colour: str, fade_in_time: float = 1.0, fade_out_time: float = 1.0,
              n: int | None = None, brightness: float = 1.0) -> None:
        """Fades in and out; returns at once; n=None pulses until told otherwise."""
        self._show(LEDState(_colour(colour), _brightness(brightness), "pulse",
                            _seconds("fade_in_time", fade_in_time),
                            _seconds("fade_out_time", fade_out_time)), n)

    def close(self) -> None:
        """Stop a counted pattern's timer and the output's blinking; the LED
        keeps its last light."""
        with self._lock:
            self._cancel()
            self._output.close()

    def _show(self, state: LEDState, n: int | None) -> None:
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise ValueError(f"n must be a whole number of cycles, at least 1, or None, not {n!r}")
        with self._lock:
            self._cancel()
            self._output.show(state)
            self._state = state
            if n is not None:
                self._ending = threading.Timer(n * (state.on_time + state.off_time),
                                               self._end, args=(state,))
                self._ending.daemon = True
                self._ending.start()

    def _end(self, state: LEDState) -> None:
        with self._lock:
            if self._state is state:  # nothing newer was asked for meanwhile
                self._output.show(OFF)
                self._state = OFF
                self._ending = None

    def _cancel(self) -> None:
        if self._ending is not None:
            self._ending.cancel()
            self._ending = None


def _colour(colour: str) -> str:
    if colour not in StatusLED.COLOURS:
        raise ValueError(f"colour must be one of {', '.join(StatusLED.COLOURS)}, not {colour!r}")
    return colour


def _brightness(brightness: float) -> float:
    if (isinstance(brightness, bool) or not isinstance(brightness, int | float)
            or not 0.0 < brightness <= 1.0):
        raise ValueError(f"brightness must be above 0 and at most 1, not {brightness!r}")
    return float(brightness)


def _seconds(name: str, value: float) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or not 0.01 <= value <= 3600):
        raise ValueError(f"{name} must be 0.01 to 3600 seconds, not {value!r}")
    return float(value)
