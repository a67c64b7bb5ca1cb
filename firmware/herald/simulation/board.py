"""The device's board for development hosts and tests: a directory of small files.

herald-core drives the status LED into ``led.json``; a test, ``scripts/dev``
or the command line below reads it (``SimulatedBoard.led_state()``).
The production HAL never imports this module.

    python -m herald.simulation.board DIR led        # what the LED shows
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from pathlib import Path

from herald.hal.led import OFF, LEDState, StatusLED


def _write(path: Path, text: str) -> None:
    """Replace a file whole, so a reader never sees half of it."""
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
        with open(self.log, "a") as log:
            log.write(text + "\n")


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

    def led_state(self) -> LEDState:
        """What the LED shows now (off before herald-core drove it)."""
        try:
            return LEDState(**json.loads(self.led_file.read_text()))
        except FileNotFoundError:
            return OFF


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m herald.simulation.board",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("what", choices=("led",))
    args = parser.parse_args(argv)
    board = SimulatedBoard(args.directory)
    print(json.dumps(asdict(board.led_state())))


if __name__ == "__main__":
    main()
