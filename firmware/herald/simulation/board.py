"""The device's board for development hosts and tests: a directory of small files.

herald-core drives the status LED into ``led.json``, and reads the button,
the microphone switch and the PIR from the files ``button``, ``mic_off``
and ``motion`` (a line per change: "1" active, "0" not). A test, ``scripts/dev`` or the command
line below presses, flips and reads them (``SimulatedBoard.press()``,
``.led_state()``...). The production HAL never imports this module.

    python -m herald.simulation.board DIR press|release  # the control button
    python -m herald.simulation.board DIR mic-on|mic-off # the microphone switch
    python -m herald.simulation.board DIR motion|still   # the PIR
    python -m herald.simulation.board DIR led            # what the LED shows
"""

from __future__ import annotations

import argparse
import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from herald.hal.button import Button
from herald.hal.led import OFF, LEDState, StatusLED
from herald.hal.mic_switch import MicSwitch
from herald.hal.motion_sensor import MotionSensor

POLL_SECONDS = 0.02


def _write(path: Path, text: str) -> None:
    """Replace a file whole, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(text)
    os.replace(part, path)


class FileLED:
    """The LED's output: its state as JSON in one file, each change a line in a log."""

    def __init__(self, path: Path, log: Path) -> None:
        self.path = path
        self.log = log

    def show(self, state: LEDState) -> None:
        text = json.dumps(asdict(state))
        _write(self.path, text)
        with open(self.log, "a") as log:  # after _write: the directory is there
            log.write(text + "\n")

    def close(self) -> None:
        """Nothing to stop: the file holds the pattern, not its timing."""


class FileLine:
    """An input line kept as a file of its values, one line each, newest last:
    the poller hands on every change, however quick (a press and release
    between two looks is still a press)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def value(self) -> bool:
        values = self._values(0)[0]
        return bool(values) and values[-1]

    def watch(self, changed: Callable[[bool], None]) -> None:
        self._thread = threading.Thread(target=self._poll, args=(changed,), daemon=True,
                                        name=f"simulated {self.path.name}")
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _values(self, offset: int) -> tuple[list[bool], int]:
        """The values written from byte `offset` on, and where they end."""
        try:
            with open(self.path, "rb") as source:
                source.seek(offset)
                data = source.read()
        except FileNotFoundError:
            return [], offset
        whole = data[: data.rfind(b"\n") + 1]
        return [line == b"1" for line in whole.splitlines()], offset + len(whole)

    def _poll(self, changed: Callable[[bool], None]) -> None:
        offset = 0  # everything is told: DigitalInput passes over what it already knows
        while not self._stop.wait(POLL_SECONDS):
            values, offset = self._values(offset)
            for value in values:
                changed(value)


def _set(path: Path, active: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as line:
        line.write("1\n" if active else "0\n")


class SimulatedBoard:
    """Every part of the device's board, kept in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def led_file(self) -> Path:
        return self.directory / "led.json"

    def status_led(self) -> StatusLED:
        return StatusLED(FileLED(self.led_file, self.directory / "led.log"))

    def led_history(self) -> list[LEDState]:
        """Everything the LED showed, oldest first."""
        try:
            lines = (self.directory / "led.log").read_text().splitlines()
        except FileNotFoundError:
            return []
        return [LEDState(**json.loads(line)) for line in lines]

    def button(self, hold_time: float = 1.0) -> Button:
        return Button(FileLine(self.directory / "button"), hold_time)

    def mic_switch(self) -> MicSwitch:
        return MicSwitch(FileLine(self.directory / "mic_off"))

    def motion_sensor(self) -> MotionSensor:
        return MotionSensor(FileLine(self.directory / "motion"))

    def press(self) -> None:
        _set(self.directory / "button", True)

    def release(self) -> None:
        _set(self.directory / "button", False)

    def set_microphone(self, on: bool) -> None:
        """Flip the microphone disable switch."""
        _set(self.directory / "mic_off", not on)

    def set_motion(self, motion: bool) -> None:
        _set(self.directory / "motion", motion)

    def led_state(self) -> LEDState:
        """What the LED shows now (off before herald-core drove it)."""
        try:
            return LEDState(**json.loads(self.led_file.read_text()))
        except FileNotFoundError:
            return OFF


ACTIONS: dict[str, Callable[[SimulatedBoard], None]] = {
    "press": SimulatedBoard.press,
    "release": SimulatedBoard.release,
    "mic-on": lambda board: board.set_microphone(True),
    "mic-off": lambda board: board.set_microphone(False),
    "motion": lambda board: board.set_motion(True),
    "still": lambda board: board.set_motion(False),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m herald.simulation.board",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("what", choices=[*sorted(ACTIONS), "led"])
    args = parser.parse_args(argv)
    board = SimulatedBoard(args.directory)
    if args.what == "led":
        print(json.dumps(asdict(board.led_state())))
    else:
        ACTIONS[args.what](board)


if __name__ == "__main__":
    main()
