"""The control button, the microphone switch and the PIR: on the simulated
board (files) and on a Linux board (input-event records through a FIFO that
stands for /dev/input/event0)."""

from __future__ import annotations

import os
import queue
import struct

import pytest

from herald.core import board as core_board
from herald.environment import from_variables
from herald.hal.board import load_board
from herald.simulation.board import SimulatedBoard

EVENT = struct.Struct("@llHHi")  # the kernel's struct input_event
EV_SYN, EV_KEY, EV_SW = 0, 1, 5


def recorder(part, *names):
    """Each callback puts its name in the queue the test reads."""
    happened: queue.Queue[str] = queue.Queue()
    for name in names:
        setattr(part, name, lambda name=name: happened.put(name))
    return happened


def next_events(happened, count):
    return [happened.get(timeout=10) for _ in range(count)]


def test_a_short_press_is_pressed_then_released_and_never_held(tmp_path):
    board = SimulatedBoard(tmp_path)
    button = board.button(hold_time=0.5)
    happened = recorder(button, "when_pressed", "when_released", "when_held")
    assert not button.is_pressed
    board.press()
    assert button.wait_for_press(timeout=10) and button.is_pressed
    board.release()
    assert button.wait_for_release(timeout=10)
    assert next_events(happened, 2) == ["when_pressed", "when_released"]
    assert happened.empty() and not button.is_held
    button.close()


def test_a_long_press_is_held_once_and_the_release_knows_it(tmp_path):
    board = SimulatedBoard(tmp_path)
    button = board.button(hold_time=0.2)
    held_at_release = []
    button.when_released = lambda: held_at_release.append(button.is_held)
    happened = recorder(button, "when_held")
    board.press()
    assert next_events(happened, 1) == ["when_held"] and button.is_held
    board.release()
    assert button.wait_for_release(timeout=10)
    assert held_at_release == [True] and not button.is_held
    button.close()


def test_a_button_down_at_power_on_is_held_from_then(tmp_path):
    board = SimulatedBoard(tmp_path)
    board.press()
    button = board.button(hold_time=0.2)
    happened = recorder(button, "when_held", "when_pressed")
    assert button.is_pressed
    assert next_events(happened, 1) == ["when_held"], "held without a new press"
    button.close()


def test_the_switch_and_the_pir_say_what_changed(tmp_path):
    board = SimulatedBoard(tmp_path)
    switch, pir = board.mic_switch(), board.motion_sensor()
    assert switch.is_on and not pir.motion_detected, "the factory setting is ON"
    happened = recorder(switch, "when_on", "when_off")
    board.set_microphone(False)
    assert switch.wait_for_off(timeout=10) and not switch.is_on
    board.set_microphone(True)
    assert next_events(happened, 2) == ["when_off", "when_on"]
    motion = recorder(pir, "when_motion", "when_no_motion")
    board.set_motion(True)
    assert pir.wait_for_motion(timeout=10) and pir.motion_detected
    board.set_motion(False)
    assert pir.wait_for_no_motion(timeout=10)
    assert next_events(motion, 2) == ["when_motion", "when_no_motion"]
    for part in (switch, pir):
        part.close()


@pytest.fixture
def event_devices(tmp_path):
    """FIFOs standing for input-event devices, and a way to send through them
    what the kernel sends every reader of one (a FIFO gives a record to one
    reader only, so here each part has a device of its own)."""
    writers = {}
    for name in ("button", "switch", "pir"):
        os.mkfifo(tmp_path / name)
        writers[name] = os.open(tmp_path / name, os.O_RDWR)

    def send(name, kind, code, value):
        os.write(writers[name],
                 EVENT.pack(0, 0, kind, code, value) + EVENT.pack(0, 0, EV_SYN, 0, 0))

    yield send
    for fd in writers.values():
        os.close(fd)


def test_a_linux_board_reads_its_parts_from_input_events(tmp_path, event_devices):
    send = event_devices
    config = tmp_path / "board.toml"
    config.write_text(f'[button]\ndevice = "{tmp_path}/button"\ncode = 256\n'
                      f'[mic_switch]\ndevice = "{tmp_path}/switch"\ncode = 14\n'
                      'type = "switch"\n'
                      f'[motion_sensor]\ndevice = "{tmp_path}/pir"\ncode = 257\n')
    board = load_board(config)
    button, switch, pir = board.button(hold_time=0.2), board.mic_switch(), board.motion_sensor()
    pressed = recorder(button, "when_pressed", "when_held", "when_released")
    send("button", EV_KEY, 257, 1)  # another key: not the button's
    send("button", EV_KEY, 256, 1)
    send("button", EV_KEY, 256, 2)  # auto-repeat: still the same press
    assert next_events(pressed, 2) == ["when_pressed", "when_held"]
    send("button", EV_KEY, 256, 0)
    assert next_events(pressed, 1) == ["when_released"]
    send("pir", EV_KEY, 257, 1)
    assert pir.wait_for_motion(timeout=10)
    send("switch", EV_KEY, 14, 1)  # a key with the switch's code is not the switch
    send("switch", EV_SW, 14, 1)
    assert switch.wait_for_off(timeout=10)
    assert pressed.empty(), "the other key did nothing to the button"
    send("switch", EV_SW, 14, 0)
    assert switch.wait_for_on(timeout=10)
    for part in (button, switch, pir):
        part.close()


def test_a_missing_input_device_is_a_clear_error(tmp_path):
    config = tmp_path / "board.toml"
    config.write_text(f'[button]\ndevice = "{tmp_path}/no-such-event"\ncode = 256\n')
    with pytest.raises(ValueError, match=r"cannot open input device .*no-such-event"):
        load_board(config).button()
    with pytest.raises(LookupError, match="this device has no PIR motion sensor"):
        load_board(config).motion_sensor()


def test_herald_core_goes_on_without_a_part_it_cannot_open(tmp_path, monkeypatch, caplog,
                                                           event_devices):
    """A board file naming a device the system does not give is logged, and
    herald-core keeps the parts that work instead of never starting."""
    config = tmp_path / "board.toml"
    config.write_text(f'[button]\ndevice = "{tmp_path}/no-such-event"\ncode = 256\n'
                      f'[motion_sensor]\ndevice = "{tmp_path}/pir"\ncode = 257\n')
    monkeypatch.setenv("HERALD_BOARD_CONFIG", str(config))
    environment = from_variables({"HERALD_DATA_DIR": str(tmp_path / "data")})
    made = core_board.parts(environment)
    try:
        assert made.button is None and made.led is None and made.mic_switch is None
        assert made.motion_sensor is not None
        assert "cannot open input device" in caplog.text and "no-such-event" in caplog.text
    finally:
        made.motion_sensor.close()
