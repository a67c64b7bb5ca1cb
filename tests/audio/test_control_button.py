"""The control button and the microphone disable switch on herald-core's
simulated board: a short press plays the speaker test's tone on the speaker;
with the switch off the microphone hears nothing, the speaker test refuses
and the audio status says so."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from herald.access import Level
from herald.audio import contract, sweep
from herald.bus import PING, Bus, CallFailed, ServiceUnavailable
from herald.events import contract as events
from herald.hal.led import LEDState
from herald.params import ParamStore, default_tree
from herald.simulation.board import SimulatedBoard
from herald.simulation.sound_card import FileAudioDevices
from herald.system import contract as system
from herald.system.reset_record import WEB_ADMIN, ResetRecord
from tests.audio.conftest import Core, Events, _run_core
from tests.audio.event_forms import rule_form
from tests.audio.signals import bursts, dominant_frequency, encode, sine
from tests.audio.webstack import AudioDevice, upload, uploaded_id
from tests.conftest import redis_server, wait_until
from tests.daemon import daemon_env, start_daemon
from tests.webadmin.stack import form_token

RULES = "/system/events/"


@pytest.fixture
def board(engine: Core) -> Iterator[SimulatedBoard]:
    """herald-core's board (in its data directory), the switch on again after the test."""
    board = SimulatedBoard(engine.log.parent / "board")
    yield board
    board.release()
    board.set_microphone(True)
    wait_until(lambda: engine.status()["input"]["switch_on"], what="the microphone back on")


def test_a_short_press_plays_the_speaker_tests_tone(engine: Core, board: SimulatedBoard,
                                                    events: Events) -> None:
    engine.start_listening()
    board.press()
    board.release()
    tone = events.wait(contract.started("tone"))
    assert tone.data["name"] == "speaker test tone"
    events.wait(contract.stopped("tone"), voice=tone.data["voice"])
    heard = sweep.analyse(engine.heard(), 48000)
    assert (heard.snr() > 40).all(), "every band of the sweep stands out of the silence"
    assert np.ptp(heard.levels) < 3, "the sweep is flat: it is the speaker test's"


def test_a_press_plays_the_tone_with_the_microphone_switched_off_too(
        engine: Core, board: SimulatedBoard, events: Events) -> None:
    board.set_microphone(False)
    wait_until(lambda: not engine.status()["input"]["switch_on"], what="the switch to be read")
    board.press()
    board.release()
    assert events.wait(contract.started("tone")).data["name"] == "speaker test tone"


def switch_state(engine: Core) -> contract.MicSwitchState:
    return contract.MicSwitchState.from_dict(engine.bus.state()[contract.MIC_SWITCH])


def test_the_switch_off_silences_the_microphone_and_the_speaker_test_refuses(
        engine: Core, board: SimulatedBoard) -> None:
    engine.card.set_scene(sine(1000, 0.5), 48000)
    try:
        wait_until(lambda: (engine.status()["input"]["level"] or 0) > 10,
                   what="the microphone to hear the room")
        board.set_microphone(False)
        wait_until(lambda: switch_state(engine) == contract.MicSwitchState(on=False),
                   what="the switch's state on the bus")
        wait_until(lambda: engine.status()["input"]["level"] == 0,
                   what="the microphone to hear nothing")
        assert engine.status()["input"]["switch_on"] is False
        with pytest.raises(CallFailed, match="its disable switch on the device is turned off"):
            engine.call(contract.SPEAKER_TEST_CALIBRATE)
        board.set_microphone(True)
        wait_until(lambda: (engine.status()["input"]["level"] or 0) > 10,
                   what="the microphone to hear the room again")
        assert switch_state(engine) == contract.MicSwitchState(on=True)
    finally:
        engine.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)


def test_the_button_held_at_power_on_resets_the_device_to_factory_default(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """As the manual's reset: held while the power comes on, the status LED
    amber, amber again after 10 s; released, the device is reset and the LED
    turns green. The system service does the reset (herald-system runs beside)."""
    data = tmp_path_factory.mktemp("data")
    board = SimulatedBoard(data / "board")
    board.press()
    params = ParamStore(data / "db.sqlite3", default_tree())
    params.update({"SIP.Port": "5070"}, level=Level.ADMIN)
    with FileAudioDevices(tmp_path_factory.mktemp("card")) as card, \
            redis_server(tmp_path_factory.mktemp("redis")) as redis_url, \
            system_service(data, redis_url), \
            contextlib.closing(_run_core(data, redis_url, card)) as running:
        next(running)
        colours = wait_until(lambda: (seen := [s.colour for s in board.led_history()])
                             [-3:] == ["amber", None, "amber"] and seen,
                             timeout=30, what="the LED to turn amber a second time")
        assert colours.count("amber") == 2
        assert params.get("SIP.Port") == "5070", "nothing is reset while the button is held"
        board.release()
        wait_until(lambda: board.led_state() == LEDState("green", 1.0, "steady"),
                   timeout=60, what="the LED to turn green: the reset is done")
        assert params.get("SIP.Port") == "5060"
        assert ResetRecord(data).pending(WEB_ADMIN) == system.HARD, "the web admin's part follows"


@contextlib.contextmanager
def system_service(data: Path, redis_url: str) -> Iterator[None]:
    """herald-system, which carries out resets, on the test's Redis."""
    process = start_daemon("herald.system", daemon_env(data, redis_url))
    bus = Bus(redis_url, source="test")
    try:
        wait_until(lambda: _answers(bus, system.SERVICE), what="herald-system to answer")
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


def _answers(bus: Bus, service: str) -> bool:
    try:
        return bool(bus.call(service, PING, timeout=1))
    except ServiceUnavailable:
        return False


def test_the_status_page_says_the_microphone_is_switched_off(device: AudioDevice) -> None:
    board = SimulatedBoard(device.stack.data_dir / "board")
    board.set_microphone(False)
    try:
        with device.stack.browser(device.stack.accounts["viewer"]) as viewer:
            page = wait_until(lambda: (text := viewer.get("/status/").text)
                              and "the microphone hears nothing" in text and text,
                              what="the Status page to show the switch off")
        assert 'Microphone disable switch</dt>\n    <dd><span class="warn">Off</span>' in page
    finally:
        board.set_microphone(True)
    with device.stack.browser(device.stack.accounts["viewer"]) as viewer:
        wait_until(lambda: "the microphone hears nothing" not in viewer.get("/status/").text,
                   what="the Status page to show the switch on again")


def test_the_pir_and_the_button_are_events_that_rules_use(engine: Core,
                                                          board: SimulatedBoard) -> None:
    rules = {"Motion": events.PIR, "Button": events.CONTROL_BUTTON}
    for name, kind in rules.items():
        answer = engine.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
            "name": name, "trigger": {"topic": kind.topic, "value": True},
            "action": {"kind": events.STOP_CLIP}})
        assert answer["ok"], answer
    try:
        # herald-core tells the PIR's state once it has read the board: wait for it.
        wait_until(lambda: event_state(engine, events.PIR, 0) is False,
                   what="the PIR's state at start")
        board.set_motion(True)
        wait_until(lambda: last_runs(engine.bus)["Motion"], what="the motion rule to run")
        assert event_state(engine, events.PIR, 0) is True
        assert last_runs(engine.bus)["Button"] is None, "motion is not the button"
        board.press()
        wait_until(lambda: last_runs(engine.bus)["Button"], what="the button rule to run")
        board.set_motion(False)
        wait_until(lambda: event_state(engine, events.PIR, 0) is False,
                   what="the PIR to be still again")
    finally:
        board.set_motion(False)
        for rule in engine.bus.call(events.SERVICE, events.LIST_RULES)["rules"]:
            if rule["name"] in rules:
                engine.bus.call(events.SERVICE, events.REMOVE_RULE, rule_id=rule["id"], by="test")


def last_runs(bus: Bus) -> dict[str, float | None]:
    return {r["name"]: r["last_run"] for r in bus.call(events.SERVICE, events.LIST_RULES)["rules"]}


def event_state(engine: Core, kind: events.EventType, source: int) -> object:
    return next((s["value"] for s in engine.bus.call(events.SERVICE, events.STATES)["states"]
                 if (s["topic"], s["source"]) == (kind.topic, source)), None)


def test_a_rule_made_on_the_events_page_plays_a_clip_when_the_pir_sees_motion(
        device: AudioDevice) -> None:
    board = SimulatedBoard(device.stack.data_dir / "board")
    clip = uploaded_id(upload(device, encode(sine(700, 0.4, 16000), 16000, "wav"), "bell.wav",
                              name="Bell"))
    with device.stack.browser(device.stack.accounts["admin"]) as admin:
        token = form_token(admin, RULES)
        added = admin.post(RULES + "rules/", data={
            "csrfmiddlewaretoken": token, **rule_form(clip, name="Visitor",
                                                      trigger=events.PIR.topic)})
        assert added.status_code == 302
        row = re.search(r'<tr data-rule="(\d+)">(.*?)</tr>', admin.get(RULES).text, re.S)
        assert row and "PIR sensor" in row.group(2)
        try:
            device.start_listening()
            board.set_motion(True)
            wait_until(lambda: last_runs(device.stack.bus())["Visitor"],
                       what="the rule to run on motion")
            heard = device.heard()
            [burst] = bursts(heard, threshold=0.01)
            assert dominant_frequency(heard[burst.start:burst.end]) == pytest.approx(700, rel=0.01)
        finally:
            board.set_motion(False)
            admin.post(RULES + f"rules/{row.group(1)}/delete/", data={"csrfmiddlewaretoken": token})
