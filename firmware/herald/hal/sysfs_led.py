"""A two-die status LED as the Linux kernel exposes it: LED class devices.

Each die is a directory such as /sys/class/leds/status:red holding
brightness, max_brightness and trigger. herald-core runs as user herald,
and a udev rule lets group herald write only brightness and trigger: the
attributes of the kernel's timer and pattern triggers (delay_on, pattern...)
appear root-owned each time a trigger is set. So a blink or pulse is timed
here, by one thread for both dies, which also keeps amber's dies in step.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from herald.hal.led import LEDState

log = logging.getLogger("herald.hal")

STEPS_PER_SECOND = 20  # a pulse's ramp: smooth to the eye, few writes


class SysfsLEDDie:
    """One LED class device, its default trigger (e.g. kbd-capslock) detached."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            self.max_brightness = int(self._read("max_brightness"))
        except (OSError, ValueError) as error:
            raise ValueError(f"{directory} is not an LED class device: {error}") from error
        if self.max_brightness < 1:
            raise ValueError(f"{directory}: max_brightness is {self.max_brightness}")
        for name in ("trigger", "brightness"):
            _check_writable(directory / name)

    def full(self, level: float) -> int:
        """The brightness value of a level from 0 to 1; any level above 0 lights the die."""
        return max(1, round(level * self.max_brightness)) if level > 0 else 0

    def detach(self) -> None:
        self._write("trigger", "none")

    def set(self, value: int) -> None:
        self._write("brightness", str(value))

    def _read(self, name: str) -> str:
        return (self.directory / name).read_text()

    def _write(self, name: str, value: str) -> None:
        (self.directory / name).write_text(value + "\n")


class SysfsLED:
    """The status LED's output: its red and green dies. Not thread-safe:
    StatusLED hands it one state at a time."""

    def __init__(self, red: Path, green: Path) -> None:
        self.red = SysfsLEDDie(red)
        self.green = SysfsLEDDie(green)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def show(self, state: LEDState) -> None:
        self.close()  # no write of the old pattern may follow the new state's
        lit = state.pattern != "off"
        timed = state.pattern in ("blink", "pulse")
        dies = [(die, die.full(level) if lit else 0)
                for die, level in zip((self.red, self.green), state.dies, strict=True)]
        for die, value in dies:
            die.detach()
            if not (timed and value):  # the thread lights a blinking die
                die.set(value)
        blinking = [(die, value) for die, value in dies if timed and value]
        if blinking:
            # a blink is a pulse of one step each way
            levels = min(value for _, value in blinking) if state.pattern == "pulse" else 1
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(state, blinking, levels, self._stop),
                name="status LED", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop a blink or pulse; the dies keep their last brightness."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @staticmethod
    def _run(state: LEDState, dies: list[tuple[SysfsLEDDie, int]], levels: int,
             stop: threading.Event) -> None:
        start = time.monotonic()
        try:
            for at, fraction in _steps(state, levels):
                if stop.wait(start + at - time.monotonic()):
                    return
                for die, value in dies:
                    die.set(round(fraction * value))
        except OSError as error:
            log.error("status LED: %s stopped: %s", state.pattern, error)


def _steps(state: LEDState, levels: int) -> Iterator[tuple[float, float]]:
    """(seconds from the start, fraction of full brightness), forever: up over
    on_time, down over off_time, each in at most `levels` steps."""
    up = _count(state.on_time, levels)
    down = _count(state.off_time, levels)
    for cycle in itertools.count():
        start = cycle * (state.on_time + state.off_time)
        for step in range(up):
            yield start + step * state.on_time / up, (step + 1) / up
        for step in range(down):
            yield start + state.on_time + step * state.off_time / down, 1 - (step + 1) / down


def _count(seconds: float, levels: int) -> int:
    return max(1, min(levels, round(seconds * STEPS_PER_SECOND)))


def _check_writable(path: Path) -> None:
    """Open for writing rather than os.access: the check the writes will meet."""
    try:
        os.close(os.open(path, os.O_WRONLY))  # writes nothing: sysfs acts on a write
    except FileNotFoundError as error:
        raise ValueError(f"{path.parent} is not an LED class device: {error}") from error
    except OSError as error:
        raise ValueError(
            f"herald-core cannot write {path} ({error.strerror}): group herald needs write "
            "access to each LED's brightness and trigger (the udev rule for the status LED "
            "grants it)") from error
