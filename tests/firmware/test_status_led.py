"""The status LED: what it shows on the simulated board, what it writes to
the kernel's LED class devices, and the board file that names them."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest

from herald.hal.board import LinuxBoard, MissingPart, load_board, load_board_config, status_led
from herald.hal.led import LEDState, StatusLED
from herald.hal.sysfs_led import SysfsLED, SysfsLEDDie
from herald.simulation.board import SimulatedBoard
from tests.conftest import wait_until


def test_the_simulated_board_shows_colour_and_pattern(tmp_path):
    board = SimulatedBoard(tmp_path)
    led = board.status_led()
    assert board.led_state() == LEDState() and board.led_state().pattern == "off"
    led.on("amber")
    assert board.led_state() == LEDState("amber", 1.0, "steady")
    led.blink("red", on_time=0.5, off_time=1.5)
    assert board.led_state() == LEDState("red", 1.0, "blink", 0.5, 1.5)
    led.pulse("green", fade_in_time=2, fade_out_time=3, brightness=0.5)
    assert board.led_state() == LEDState("green", 0.5, "pulse", 2.0, 3.0)
    assert led.state == board.led_state()
    led.off()
    assert board.led_state().colour is None and not led.is_lit


def test_a_counted_blink_ends_with_the_led_off(tmp_path):
    board = SimulatedBoard(tmp_path)
    led = board.status_led()
    led.blink("green", on_time=0.05, off_time=0.05, n=2)
    assert board.led_state().pattern == "blink"
    wait_until(lambda: board.led_state().pattern == "off", timeout=10, what="the blinks to end")
    led.blink("red", on_time=0.02, off_time=0.02, n=1)
    led.blink("amber", on_time=0.2, off_time=0.2, n=1)  # not ended by the older count
    # the history, not led.json: the log line is written after the file
    wait_until(lambda: board.led_history()[-1].pattern == "off", timeout=10,
               what="the amber blink")
    assert [(state.colour, state.pattern) for state in board.led_history()[-3:]] == \
        [("red", "blink"), ("amber", "blink"), (None, "off")]


@pytest.mark.parametrize("call, message", [
    (lambda led: led.on("blue"), "colour must be one of red, green, amber"),
    (lambda led: led.on("green", brightness=0), "brightness"),
    (lambda led: led.on("green", brightness=1.5), "brightness"),
    (lambda led: led.blink("red", on_time=0), "on_time"),
    (lambda led: led.blink("red", off_time=float("nan")), "off_time"),
    (lambda led: led.blink("red", n=0), "n must be"),
    (lambda led: led.pulse("red", fade_in_time=-1), "fade_in_time"),
    (lambda led: led.pulse("red", n=True), "n must be"),
])
def test_bad_arguments_are_refused_and_change_nothing(tmp_path, call, message):
    board = SimulatedBoard(tmp_path)
    led = board.status_led()
    led.on("amber")
    with pytest.raises(ValueError, match=message):
        call(led)
    assert board.led_state() == LEDState("amber", 1.0, "steady")


def fake_led_class(root: Path, name: str, max_brightness: int = 255) -> Path:
    """An LED class device as the kernel shows it under /sys/class/leds."""
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "max_brightness").write_text(f"{max_brightness}\n")
    (directory / "brightness").write_text("0\n")
    (directory / "trigger").write_text("none [kbd-capslock] timer pattern\n")
    return directory


def read(directory: Path, name: str) -> str:
    return (directory / name).read_text().strip()


def levels(*dies: Path) -> tuple[int, ...] | None:
    """The dies' brightness now; None while a fake file is being rewritten."""
    texts = [read(die, "brightness") for die in dies]
    return tuple(int(text) for text in texts) if all(texts) else None


def seen_for(seconds: float, *dies: Path) -> set[tuple[int, ...]]:
    """Every brightness the dies show over a while (a watch, not a wait)."""
    seen = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (now := levels(*dies)) is not None:
            seen.add(now)
    return seen


def board_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "board.toml"
    path.write_text(text)
    return path


@pytest.fixture
def linux_led(tmp_path, monkeypatch):
    """The Linux board's status LED on fake red and green dies (max_brightness 255)."""
    red = fake_led_class(tmp_path / "leds", "status:red")
    green = fake_led_class(tmp_path / "leds", "status:green")
    monkeypatch.setenv("HERALD_BOARD_CONFIG", str(board_file(
        tmp_path, f'[status_led]\nred = "{red}"\ngreen = "{green}"\n')))
    led = status_led()
    yield led, red, green
    led.close()


def test_a_steady_colour_writes_the_dies_brightness(linux_led):
    led, red, green = linux_led
    assert read(red, "trigger") == read(green, "trigger") == "none", "kbd-capslock detached"
    led.on("amber", brightness=0.5)
    assert levels(red, green) == (128, 128)
    led.on("green")
    assert levels(red, green) == (0, 255)
    led.off()
    assert levels(red, green) == (0, 0)


def test_a_blink_alternates_the_brightness(linux_led):
    led, red, green = linux_led
    led.blink("red", on_time=0.05, off_time=0.05)
    for level in (255, 0, 255, 0):
        wait_until(lambda level=level: levels(red) == (level,), timeout=5,
                   what=f"red at {level}")
    assert levels(green) == (0,)


def test_amber_lights_both_dies_together(linux_led):
    led, red, green = linux_led
    led.blink("amber", on_time=0.1, off_time=0.1)
    for both in ((255, 255), (0, 0), (255, 255)):
        wait_until(lambda both=both: levels(red, green) == both, timeout=5,
                   what=f"both dies at {both}")


def test_a_pulse_fades_through_intermediate_levels(linux_led):
    led, red, green = linux_led
    led.pulse("red", fade_in_time=0.5, fade_out_time=0.5)
    between = set()

    def faded() -> bool:
        if (now := levels(red)) is not None and 0 < now[0] < 255:
            between.add(now[0])
        return len(between) >= 5

    wait_until(faded, timeout=10, what="red at five levels between off and full")
    assert levels(green) == (0,)


def test_a_pulse_on_a_one_level_die_blinks(tmp_path):
    red = fake_led_class(tmp_path, "input0::capslock", max_brightness=1)
    green = fake_led_class(tmp_path, "input0::numlock", max_brightness=1)
    led = StatusLED(SysfsLED(red, green))
    try:
        led.pulse("amber", fade_in_time=0.05, fade_out_time=0.05)
        for both in ((1, 1), (0, 0), (1, 1)):
            wait_until(lambda both=both: levels(red, green) == both, timeout=5,
                       what=f"both dies at {both}")
    finally:
        led.close()


def test_a_new_state_is_not_overwritten_by_the_old_pattern(linux_led, monkeypatch):
    led, red, green = linux_led
    write = SysfsLEDDie.set

    def slow_driver(die: SysfsLEDDie, value: int) -> None:
        if threading.current_thread().name == "status LED":
            time.sleep(0.02)  # a slow driver: the blink's next write is under way most of the time
        write(die, value)

    monkeypatch.setattr(SysfsLEDDie, "set", slow_driver)
    for _ in range(5):
        led.blink("red", on_time=0.01, off_time=0.01)
        for level in (255, 0):  # the write under way is the next 255
            wait_until(lambda level=level: levels(red) == (level,), timeout=5, interval=0.002,
                       what=f"red at {level}")
        led.on("green")
        assert levels(red, green) == (0, 255)
        assert seen_for(0.1, red, green) == {(0, 255)}, "the red blink went on"


def test_a_die_that_cannot_be_written_stops_the_blink_with_one_message(linux_led, caplog):
    led, red, _ = linux_led
    led.blink("amber", on_time=0.02, off_time=0.02)
    (red / "elsewhere").mkdir()
    (red / "link").symlink_to(red / "elsewhere")
    os.replace(red / "link", red / "brightness")  # a write now fails, even as root
    wait_until(lambda: caplog.records, timeout=5, what="the failed write's message")
    wait_until(lambda: not any(thread.name == "status LED" for thread in threading.enumerate()),
               timeout=5, what="the blink to stop")
    assert [(record.name, record.levelname) for record in caplog.records] == \
        [("herald.hal", "ERROR")]
    assert "brightness" in caplog.records[0].getMessage()


def test_a_die_herald_cannot_write_is_refused_with_what_to_fix(tmp_path):
    red = fake_led_class(tmp_path, "red")
    green = fake_led_class(tmp_path, "green")
    brightness = green / "brightness"
    # Not writable even by root (tests may run as root, who writes a 0o444
    # file regardless): open() for writing fails as on a read-only file.
    brightness.unlink()
    brightness.mkdir()
    with pytest.raises(ValueError, match=f"cannot write {re.escape(str(brightness))}"
                                         ".*group herald needs write access.*udev rule"):
        SysfsLED(red, green)


def test_a_board_file_names_the_parts_and_a_bad_one_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HERALD_BOARD_CONFIG", str(board_file(tmp_path, "")))
    with pytest.raises(MissingPart, match="this device has no status LED"):
        load_board().status_led()
    config = load_board_config(board_file(
        tmp_path, '[button]\ndevice = "/dev/input/event0"\ncode = 256\n'
                  '[mic_switch]\ndevice = "/dev/input/event0"\ncode = 14\ntype = "switch"\n'))
    assert (config.button.code, config.button.type) == (256, "key")
    assert config.mic_switch.type == "switch"
    assert config.status_led is None and config.motion_sensor is None
    for text, message in [
        ("[status_led]\nred = 1\ngreen = \"/x\"\n", "red must be an absolute path"),
        ("[status_led]\nred = \"/x\"\n", "missing green"),
        ("[status_led]\nred = \"/x\"\ngreen = \"/y\"\nblue = \"/z\"\n", "unknown keys"),
        ("[speaker]\n", "unknown sections"),
        ("[button]\ndevice = \"/dev/input/event0\"\ncode = -1\n", "code must be"),
        ("[button]\ndevice = \"/dev/input/event0\"\ncode = 1\ntype = \"axis\"\n", "type must be"),
        ("status_led = 3\n", "must be a table"),
        ("[button\n", "board.toml"),
    ]:
        with pytest.raises(ValueError, match=message):
            load_board_config(board_file(tmp_path, text))
    red = fake_led_class(tmp_path / "leds", "red")
    not_an_led = tmp_path / "nothing"
    with pytest.raises(ValueError, match="is not an LED class device"):
        LinuxBoard(load_board_config(board_file(
            tmp_path, f'[status_led]\nred = "{red}"\ngreen = "{not_an_led}"\n'))).status_led()
