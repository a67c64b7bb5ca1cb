"""In the QEMU image: the board's parts, worked from the host through the
virtual board (qemu.board) as a person works the real ones: the status LED
seen from outside, the control button pressed, the microphone switch and
the PIR sensor."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from herald.events import contract as events
from herald.light import contract as light
from qemu.board import VirtualBoard
from qemu.vm import Machine
from tests.audio.signals import bursts, dominant_frequency
from tests.conftest import wait_until
from tests.system.conftest import ROOT_PASSWORD
from tests.system.wav import qemu_wav
from tests.webadmin.stack import Account, login

pytestmark = [pytest.mark.system, pytest.mark.slow]

HOLD_SECONDS = 11  # the manual's 10 s, and a second for the finger
ALARM = {"name": "Intruder", "pattern": "blink", "speed": "fast", "colour": "red",
         "priority": 7}


@pytest.fixture(scope="module")
def board(device: Machine) -> VirtualBoard:
    return VirtualBoard(device.qmp, device.board_trace)


@pytest.fixture
def admin(device: Machine, root: httpx.Client) -> Iterator[httpx.Client]:
    """The web admin in a browser's way (a session), as the root account."""
    with httpx.Client(base_url=device.http_url.rstrip("/"), timeout=60) as client:
        login(client, Account("root", ROOT_PASSWORD, "admin"))
        yield client


def bus_call(device: Machine, service: str, method: str, **arguments: object) -> dict:
    """A call on the device's service bus, as an integrator's script on the device makes it."""
    script = ("import json, sys; from herald.bus import Bus; "
              "from herald.environment import current; "
              "service, method, arguments = json.loads(sys.argv[1]); "
              "print(json.dumps(Bus(current().redis_url).call(service, method, **arguments)))")
    call = json.dumps([service, method, arguments]).replace("'", "'\\''")
    output = device.run("set -a; . /etc/default/herald; set +a; "
                        f"/usr/lib/herald/venv/bin/python -c '{script}' '{call}'",
                        check=True).output
    return json.loads(output.strip().splitlines()[-1])


def test_the_status_led_is_amber_while_starting_then_steady_green(device, board) -> None:
    board.wait_for_led("green", "steady", timeout=300)
    colours = [change.colour for change in board.led_changes()]
    assert "amber" in colours, f"the LED took {colours} since power-on"
    assert colours.index("amber") < len(colours) - 1 - colours[::-1].index("green"), colours


def test_a_press_of_the_control_button_plays_the_speaker_tests_tone(device, board) -> None:
    board.wait_for_led("green", "steady", timeout=300)  # herald-core reads the board
    before = len(qemu_wav(device.audio_out)[0])
    board.click()

    def sweep_heard() -> tuple[np.ndarray, int] | None:
        audio, rate = qemu_wav(device.audio_out)
        audio = audio[before:]
        parts = [b for b in bursts(audio, threshold=0.002) if b.end - b.start > 0.05 * rate]
        if not parts or len(audio) - parts[-1].end < 0.2 * rate:
            return None  # not yet, or still playing
        return np.concatenate([audio[b.start:b.end] for b in parts]), rate

    tone, rate = wait_until(sweep_heard, timeout=60, interval=1,
                            what="the test tone in QEMU's WAV file")
    assert len(tone) / rate == pytest.approx(1.0, abs=0.1)  # the one-second sweep
    fifth = len(tone) // 5
    start, end = (dominant_frequency(part, rate) for part in (tone[:fifth], tone[-fifth:]))
    assert start < 500 < 3000 < end, f"a sweep rises: {start:.0f} Hz to {end:.0f} Hz"


def test_the_microphone_switch_turned_off_is_on_status_and_stops_the_speaker_test(
        device, board, admin) -> None:
    off = 'Microphone disable switch</dt>\n    <dd><span class="warn">Off</span>'
    board.set_microphone(False)
    try:
        wait_until(lambda: off in admin.get("/status/").text, timeout=60,
                   what="the Status page to show the switch off")
        refused = admin.post("/speaker-test/calibrate/",
                             headers={"X-CSRFToken": admin.cookies["csrftoken"]})
        assert refused.status_code >= 400
        assert "disable switch" in refused.json()["error"]
    finally:
        board.set_microphone(True)
    wait_until(lambda: off not in admin.get("/status/").text, timeout=60,
               what="the Status page to show the switch on again")


def test_motion_on_the_pir_shows_a_rules_light_profile_on_the_led(device, board) -> None:
    assert bus_call(device, light.SERVICE, light.SAVE, profile=ALARM)["ok"]
    rule = bus_call(device, events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Intruder light", "trigger": {"topic": events.PIR.topic, "value": True},
        "action": {"kind": events.LIGHT_PROFILE, "profile": ALARM["name"],
                   "mode": events.WHILE_ACTIVE}})
    assert rule["ok"], rule
    try:
        board.wait_for_led("green", "steady", timeout=300)
        board.set_motion(True)
        shown = board.wait_for_led("red", "blink", timeout=60, window=3)
        assert shown.period == pytest.approx(0.4, abs=0.15)  # "fast": 0.2 s on, 0.2 s off
        board.set_motion(False)
        board.wait_for_led("green", "steady", timeout=60, window=3)
    finally:
        board.set_motion(False)
        bus_call(device, events.SERVICE, events.REMOVE_RULE, rule_id=rule["id"], by="test")


def test_the_button_held_at_power_on_resets_the_device_to_factory_default(device, board) -> None:
    """As the manual says: hold the button, power on, keep it down while the
    LED is amber for 10 s, let go. The device resets, shows green and
    restarts (last here: a test after it gets the device booted again)."""
    with board.holding("button"):
        device.reboot()
        device.wait_until_up()
        amber = wait_until(lambda: next((change for change in board.led_changes()
                                         if change.colour == "amber"), None),
                           timeout=120, what="the LED amber: herald-core saw the button held")
        time.sleep(max(0.0, amber.at + HOLD_SECONDS - time.time()))  # the finger stays on it
        assert board.led().colour == "amber", "no other colour while the button is held"
    board.wait_for_led("green", "steady", timeout=120, window=1)  # reset done
    device.wait_for_exit(timeout=120)  # and the device restarts
    assert "reboot: Restarting system" in device.console()
