"""The virtual board of a Herald device in QEMU: its control button,
microphone switch, PIR sensor and status LED, driven and read from the host.

The q35 machine's PS/2 keyboard is the board. The guest's board file
(layers/meta-herald-bsp/board/qemux86-64.toml) reads the button, the switch
and the PIR as three keys of that keyboard's input device, and drives the
LED's red and green dies as its Caps Lock and Num Lock LEDs. The host
presses the keys through QMP and reads the LEDs from QEMU's trace of what
the guest's keyboard driver told the keyboard (``ps2_set_ledstate``, with
the host's time), so the LED is seen as a person would see it: from outside.

A switched switch or a held button is a key held down: its make code is
sent again every HOLD_REPEAT seconds, as a keyboard repeats a held key, so
it stays down for a guest that restarts meanwhile (the button held at
power-on).

    board = VirtualBoard(machine.qmp, machine.board_trace)
    board.click("button")                 # a short press
    with board.holding("button"):         # held through a reboot
        ...
    board.wait_for_led("green", "steady")
"""

from __future__ import annotations

import contextlib
import itertools
import re
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qemu.qmp import QMP, QMPError

PARTS = {"button": "f12", "mic_switch": "f11", "motion_sensor": "f10"}  # QMP key names
RED, GREEN = 0x4, 0x2  # bits of the PS/2 Set LEDs byte: Caps Lock, Num Lock
HOLD_REPEAT = 0.5  # seconds between a held key's repeated make codes
CLICK = 0.2  # how long a short press holds the key down
# Amber is two writes in the guest; the keyboard driver may pass them on one
# by one, a few milliseconds apart. A state shorter than this is such a step.
SETTLE = 0.08
TRACE = re.compile(r"@(\d+\.\d+):ps2_set_ledstate \S+ ledstate (\d+)")


@dataclass(frozen=True)
class LEDChange:
    at: float  # host time (time.time())
    colour: str | None  # None: dark


@dataclass(frozen=True)
class LEDReading:
    """What a person watching the LED for a while sees."""

    colour: str | None  # the colour shown (while lit, for a blink); None: off
    pattern: str  # "off", "steady" or "blink"
    period: float | None = None  # one blink's on and off time, seconds

    def __str__(self) -> str:
        if self.pattern == "blink":
            return f"{self.colour} blinking every {self.period:.2f} s"
        return f"{self.colour} {self.pattern}" if self.colour else "off"


def colour_of(ledstate: int) -> str | None:
    red, green = bool(ledstate & RED), bool(ledstate & GREEN)
    return {(True, True): "amber", (True, False): "red", (False, True): "green"}.get((red, green))


class VirtualBoard:
    def __init__(self, qmp: QMP, trace: Path) -> None:
        self.qmp = qmp
        self.trace = trace
        self._held: set[str] = set()
        self._changed = threading.Condition()
        self._repeater: threading.Thread | None = None

    # The inputs.

    def press(self, part: str) -> None:
        """Press the part's key and keep it down (a switch switched, a button held)."""
        key = _key(part)
        self._send(key, down=True)
        with self._changed:
            self._held.add(key)
            if self._repeater is None:
                self._repeater = threading.Thread(target=self._repeat, daemon=True,
                                                  name="virtual board keys")
                self._repeater.start()

    def release(self, part: str) -> None:
        key = _key(part)
        with self._changed:
            self._held.discard(key)
            self._changed.notify_all()
        self._send(key, down=False)

    def click(self, part: str = "button") -> None:
        """A short press: down, then up CLICK seconds later (the finger's time)."""
        self._send(_key(part), down=True)
        time.sleep(CLICK)
        self._send(_key(part), down=False)

    @contextlib.contextmanager
    def holding(self, part: str) -> Iterator[None]:
        self.press(part)
        try:
            yield
        finally:
            self.release(part)

    def set_microphone(self, on: bool) -> None:
        """The microphone disable switch: off holds its key down."""
        (self.release if on else self.press)("mic_switch")

    def set_motion(self, detected: bool) -> None:
        (self.press if detected else self.release)("motion_sensor")

    def _send(self, key: str, down: bool) -> None:
        self.qmp.execute("input-send-event", events=[
            {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": key}}}])

    def _repeat(self) -> None:
        with self._changed:
            while True:
                self._changed.wait(HOLD_REPEAT)
                if not self._held:
                    self._repeater = None
                    return
                for key in sorted(self._held):
                    with contextlib.suppress(QMPError):  # QEMU restarting: the next one
                        self._send(key, down=True)

    # The status LED.

    def led_changes(self) -> list[LEDChange]:
        """Every settled colour the LED took since QEMU started, in order."""
        raw = [LEDChange(float(at), colour_of(int(state)))
               for at, state in TRACE.findall(self._trace_text())]
        settled = [change for i, change in enumerate(raw)
                   if i + 1 == len(raw) or raw[i + 1].at - change.at >= SETTLE]
        changes: list[LEDChange] = []
        for change in settled:
            if not changes or changes[-1].colour != change.colour:
                changes.append(change)
        return changes

    def led(self, window: float = 5.0) -> LEDReading:
        """What the LED shows, judged from its last `window` seconds."""
        changes = self.led_changes()
        now = time.time()
        recent = [change for change in changes if change.at >= now - window]
        lit = {change.colour for change in recent} - {None}
        starts = [change.at for change in recent if change.colour is not None]
        if len(lit) == 1 and len(starts) >= 2:  # one colour, with dark in between
            period = statistics.median(b - a for a, b in itertools.pairwise(starts))
            if now - recent[-1].at < 1.5 * period:  # and still going on
                return LEDReading(lit.pop(), "blink", period)
        current = changes[-1].colour if changes else None
        return LEDReading(current, "steady" if current else "off")

    def wait_for_led(self, colour: str | None, pattern: str, timeout: float = 120,
                     window: float = 5.0) -> LEDReading:
        """Wait until the LED shows colour with pattern; AssertionError with
        what it showed instead when timeout comes first."""
        deadline = time.monotonic() + timeout
        while True:
            reading = self.led(window)
            if reading.colour == colour and reading.pattern == pattern:
                return reading
            if time.monotonic() > deadline:
                raise AssertionError(f"the LED shows {reading}, not {colour} {pattern}, "
                                     f"after {timeout:.0f} s")
            time.sleep(0.2)

    def _trace_text(self) -> str:
        try:
            return self.trace.read_text(errors="replace")
        except FileNotFoundError:
            return ""


def _key(part: str) -> str:
    if part not in PARTS:
        raise ValueError(f"the board has no {part!r}; it has {', '.join(PARTS)}")
    return PARTS[part]
