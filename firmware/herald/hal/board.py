"""The parts of this machine's board, from its board file.

A machine's image ships /etc/herald/board.toml; development points
HERALD_BOARD_CONFIG at a file of its own. A part the file does not name is
a part this board does not have: asking for it raises MissingPart, whose
message the feature that needed it shows. Example:

    [status_led]                 # LED class devices, one per die
    red = "/sys/class/leds/status:red"
    green = "/sys/class/leds/status:green"

    [button]                     # an input-event device and the key it reports
    device = "/dev/input/by-path/platform-gpio-keys-event"
    code = 256                   # BTN_0

    [mic_switch]                 # a switch event: 1 while the microphone is off
    device = "/dev/input/by-path/platform-gpio-keys-event"
    type = "switch"
    code = 14                    # SW_MUTE_DEVICE

    [motion_sensor]
    device = "/dev/input/by-path/platform-gpio-keys-event"
    code = 257
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from herald.hal.button import Button
from herald.hal.config_file import config_path
from herald.hal.evdev import EVENT_TYPES, EvdevLine
from herald.hal.inputs import InputLine
from herald.hal.led import StatusLED
from herald.hal.mic_switch import MicSwitch
from herald.hal.motion_sensor import MotionSensor
from herald.hal.sysfs_led import SysfsLED

BOARD_CONFIG = Path("/etc/herald/board.toml")
PART_NAMES = {"status_led": "status LED", "button": "control button",
              "mic_switch": "microphone switch", "motion_sensor": "PIR motion sensor"}


class MissingPart(LookupError):
    """The board has no such part; the message says which."""

    def __init__(self, part: str) -> None:
        super().__init__(f"this device has no {PART_NAMES[part]}")
        self.part = part


@dataclass(frozen=True)
class LEDConfig:
    red: Path
    green: Path


@dataclass(frozen=True)
class InputConfig:
    device: Path
    code: int
    type: str = "key"


@dataclass(frozen=True)
class BoardConfig:
    status_led: LEDConfig | None = None
    button: InputConfig | None = None
    mic_switch: InputConfig | None = None
    motion_sensor: InputConfig | None = None


class Board(Protocol):
    """What herald-core asks of a board, real or simulated."""

    def status_led(self) -> StatusLED: ...

    def button(self, hold_time: float = 1.0) -> Button: ...

    def mic_switch(self) -> MicSwitch: ...

    def motion_sensor(self) -> MotionSensor: ...


class LinuxBoard:
    """The parts as the Linux kernel exposes them (a real board or QEMU's)."""

    def __init__(self, config: BoardConfig) -> None:
        self.config = config

    def status_led(self) -> StatusLED:
        if self.config.status_led is None:
            raise MissingPart("status_led")
        return StatusLED(SysfsLED(self.config.status_led.red, self.config.status_led.green))

    def button(self, hold_time: float = 1.0) -> Button:
        return Button(self._line("button"), hold_time)

    def mic_switch(self) -> MicSwitch:
        return MicSwitch(self._line("mic_switch"))

    def motion_sensor(self) -> MotionSensor:
        return MotionSensor(self._line("motion_sensor"))

    def _line(self, part: str) -> InputLine:
        config: InputConfig | None = getattr(self.config, part)
        if config is None:
            raise MissingPart(part)
        return EvdevLine(config.device, config.type, config.code)


def load_board_config(path: Path | None = None) -> BoardConfig:
    """The configured parts; a bad file is an error, never silently ignored."""
    path = path or config_path("HERALD_BOARD_CONFIG", BOARD_CONFIG)
    if path is None:
        return BoardConfig()
    try:
        with open(path, "rb") as source:
            table = tomllib.load(source)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: {error}") from error
    unknown = set(table) - set(PART_NAMES)
    if unknown:
        raise ValueError(f"{path}: unknown sections {sorted(unknown)}")
    return BoardConfig(
        status_led=_led(table["status_led"], f"{path} [status_led]")
        if "status_led" in table else None,
        **{part: _input(table[part], f"{path} [{part}]")
           for part in ("button", "mic_switch", "motion_sensor") if part in table},
    )


def load_board(path: Path | None = None) -> LinuxBoard:
    return LinuxBoard(load_board_config(path))


def status_led() -> StatusLED:
    """This machine's status LED, from its board file (MissingPart without one).
    In herald-core take herald.core.board's instance instead: one StatusLED per LED."""
    return load_board().status_led()


def _table(section: object, required: tuple[str, ...], optional: tuple[str, ...],
           where: str) -> dict:
    if not isinstance(section, dict):
        raise ValueError(f"{where} must be a table")
    unknown = set(section) - set(required) - set(optional)
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    missing = [key for key in required if key not in section]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    return section


def _string(section: dict, key: str, where: str) -> str:
    value = section[key]
    if not isinstance(value, str) or not value.startswith("/"):
        raise ValueError(f"{where}: {key} must be an absolute path")
    return value


def _led(section: object, where: str) -> LEDConfig:
    table = _table(section, ("red", "green"), (), where)
    return LEDConfig(Path(_string(table, "red", where)), Path(_string(table, "green", where)))


def _input(section: object, where: str) -> InputConfig:
    section = _table(section, ("device", "code"), ("type",), where)
    code, kind = section["code"], section.get("type", "key")
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 0x2FF:
        raise ValueError(f"{where}: code must be an input event code, 0 to 767")
    if kind not in EVENT_TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(EVENT_TYPES)}")
    return InputConfig(Path(_string(section, "device", where)), code, kind)
