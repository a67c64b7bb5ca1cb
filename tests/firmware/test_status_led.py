"""The status LED: what it shows on the simulated board, what it writes to
the kernel's LED class devices, and the board file that names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from herald.hal.board import LinuxBoard, MissingPart, load_board, load_board_config, status_led
from herald.hal.led import LEDState
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
    wait_until(lambda: board.led_state().pattern == "off", timeout=10, what="the amber blink")
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


def fake_led_class(root: Path, name: str, triggers: str = "[none] timer pattern") -> Path:
    """An LED class device as the kernel shows it under /sys/class/leds."""
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "max_brightness").write_text("255\n")
    (directory / "brightness").write_text("0\n")
    (directory / "trigger").write_text(triggers + "\n")
    return directory


def read(directory: Path, name: str) -> str:
    return (directory / name).read_text().strip()


def board_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "board.toml"
    path.write_text(text)
    return path


def test_the_linux_board_drives_led_class_devices(tmp_path, monkeypatch):
    red = fake_led_class(tmp_path / "leds", "status:red")
    green = fake_led_class(tmp_path / "leds", "status:green", "[none] timer")
    monkeypatch.setenv("HERALD_BOARD_CONFIG", str(board_file(
        tmp_path, f'[status_led]\nred = "{red}"\ngreen = "{green}"\n')))
    led = status_led()
    led.on("amber", brightness=0.5)
    assert [read(die, "brightness") for die in (red, green)] == ["128", "128"]
    assert read(red, "trigger") == read(green, "trigger") == "none"
    led.blink("red", on_time=0.25, off_time=0.75)
    assert (read(red, "trigger"), read(red, "delay_on"), read(red, "delay_off")) == \
        ("timer", "250", "750")
    assert read(red, "brightness") == "255"
    assert (read(green, "trigger"), read(green, "brightness")) == ("none", "0")
    led.pulse("amber", fade_in_time=1, fade_out_time=2)
    assert (read(red, "trigger"), read(red, "pattern")) == ("pattern", "0 1000 255 2000")
    assert (read(green, "trigger"), read(green, "delay_on"), read(green, "delay_off")) == \
        ("timer", "1000", "2000"), "a die without the pattern trigger blinks instead"
    led.off()
    assert [read(die, "brightness") for die in (red, green)] == ["0", "0"]
    assert read(red, "trigger") == read(green, "trigger") == "none"


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
