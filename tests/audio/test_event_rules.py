"""Rules in herald-core: a trigger (virtual input, manual trigger, sound level)
makes the speaker play, once or while the rule is active, as the manual's
System > Events describes; bad rules are refused with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from herald.audio import contract as audio
from herald.bus import EVENT_PREFIX, Event, state_event
from herald.events import contract as events_contract
from herald.recordings import contract as recordings
from herald.update import contract as update
from tests.audio.conftest import Core, Events
from tests.audio.signals import dominant_frequency, encode, sine
from tests.conftest import wait_until
from tests.firmware.recipient_servers import tcp_listener


class Rules:
    """The events service of the engine's herald-core, as a page would use it."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.core.bus.call(events_contract.SERVICE, method, **params)

    def add(self, **rule: Any) -> int:
        reply = self.call(events_contract.ADD_RULE, rule=rule, by="test")
        assert reply["ok"], reply
        return reply["id"]

    def listed(self) -> list[dict[str, Any]]:
        return self.call(events_contract.LIST_RULES)["rules"]


@pytest.fixture
def rules(engine: Core) -> Iterator[Rules]:
    service = Rules(engine)
    yield service
    for rule in service.listed():
        service.call(events_contract.REMOVE_RULE, rule_id=rule["id"], by="test")
    for action in service.call(events_contract.LIST_ACTIONS)["actions"]:
        service.call(events_contract.REMOVE_ACTION, action_id=action["id"])
    for recipient in service.call(events_contract.LIST_RECIPIENTS)["recipients"]:
        service.call(events_contract.REMOVE_RECIPIENT, recipient_id=recipient["id"])
    for schedule in service.call(events_contract.LIST_SCHEDULES)["schedules"]:
        if not schedule["builtin"]:
            service.call(events_contract.REMOVE_SCHEDULE, schedule_id=schedule["id"])
    service.call(events_contract.SET_MANUAL_TRIGGER, active=False)
    for port in (1, 3):
        service.call(events_contract.SET_VIRTUAL_INPUT, port=port, active=False)


def play(clip: int, mode: str = "once", **more: Any) -> dict[str, Any]:
    return {"kind": "play_clip", "clip": clip, "mode": mode, **more}


def test_a_virtual_input_plays_a_clip_while_active_and_stops_it_when_released(
        engine: Core, rules: Rules, events: Events) -> None:
    clip = engine.add_clip(encode(sine(440, 2.0), 48000, "wav"), "chime.wav")
    rules.add(name="Chime while input 3 is on", action=play(clip, "while_active"),
              trigger={"topic": events_contract.VIRTUAL_INPUT.topic, "source": 3})
    engine.start_listening()
    reply = rules.call(events_contract.SET_VIRTUAL_INPUT, port=3, active=True)
    assert reply == {"ok": True, "changed": True}
    started = events.wait(audio.started("clip"), clip=clip)
    assert started.data["repeat"] == -1  # on until the rule ends, past the clip's 2 s
    wait_until(lambda: engine.card.speaker_frames() - engine.mark > 3 * 48000,
               what="3 s played, more than the clip once")
    rules.call(events_contract.SET_VIRTUAL_INPUT, port=3, active=False)
    stopped = events.wait(audio.stopped("clip"), clip=clip)
    assert stopped.data["reason"] == "rule ended"
    assert dominant_frequency(engine.heard(), 48000) == pytest.approx(440, abs=5)
    assert rules.listed()[0]["last_run"] is not None


def test_other_ports_and_a_repeated_activation_change_nothing(engine: Core, rules: Rules,
                                                             events: Events) -> None:
    clip = engine.add_clip(encode(sine(440, 0.3), 48000, "wav"), "beep.wav")
    rules.add(name="Beep on input 3", trigger={"topic": events_contract.VIRTUAL_INPUT.topic,
                                               "source": 3}, action=play(clip))
    assert rules.call(events_contract.SET_VIRTUAL_INPUT, port=1, active=True)["changed"]
    assert engine.status()["playing"] == []  # the rule's port is 3, not 1
    assert rules.call(events_contract.SET_VIRTUAL_INPUT, port=3, active=True)["changed"]
    events.wait(audio.stopped("clip"), clip=clip)
    again = rules.call(events_contract.SET_VIRTUAL_INPUT, port=3, active=True)
    assert again == {"ok": True, "changed": False}
    assert engine.status()["playing"] == []  # still active: no new start, no new play


def test_wait_between_actions_holds_back_a_second_run(engine: Core, rules: Rules,
                                                      events: Events) -> None:
    clip = engine.add_clip(encode(sine(880, 0.3), 48000, "wav"), "ding.wav")
    rules.add(name="Ding", trigger={"topic": events_contract.MANUAL_TRIGGER.topic},
              action=play(clip), wait_seconds=3600)
    rules.call(events_contract.SET_MANUAL_TRIGGER, active=True, by="installer")
    events.wait(audio.stopped("clip"), clip=clip)
    first = rules.listed()[0]["last_run"]
    rules.call(events_contract.SET_MANUAL_TRIGGER, active=False)
    rules.call(events_contract.SET_MANUAL_TRIGGER, active=True)
    # The action runs before the call answers: had the rule run, the clip would play now.
    assert engine.status()["playing"] == []
    assert rules.listed()[0]["last_run"] == first


def test_a_disabled_rule_and_an_unmet_condition_keep_quiet(engine: Core, rules: Rules) -> None:
    clip = engine.add_clip(encode(sine(660, 1.0), 48000, "wav"), "tone.wav")
    trigger = {"topic": events_contract.MANUAL_TRIGGER.topic}
    rules.add(name="Off", enabled=False, trigger=trigger, action=play(clip))
    rules.add(name="Only with input 1 off", trigger=trigger, action=play(clip), conditions=[
        {"topic": events_contract.VIRTUAL_INPUT.topic, "source": 1, "invert": True}])
    rules.call(events_contract.SET_VIRTUAL_INPUT, port=1, active=True)
    rules.call(events_contract.SET_MANUAL_TRIGGER, active=True)
    assert engine.status()["playing"] == []
    rules.call(events_contract.SET_MANUAL_TRIGGER, active=False)
    rules.call(events_contract.SET_VIRTUAL_INPUT, port=1, active=False)
    rules.call(events_contract.SET_MANUAL_TRIGGER, active=True)
    assert [v["clip"] for v in engine.status()["playing"]] == [clip]


def test_a_sound_above_the_threshold_plays_a_clip(engine: Core, rules: Rules,
                                                  events: Events) -> None:
    clip = engine.add_clip(encode(sine(440, 0.3), 48000, "wav"), "answer.wav")
    rules.add(name="Answer a loud sound", trigger={"topic": events_contract.SOUND_LEVEL.topic},
              action=play(clip))
    quiet, loud = sine(1000, 1.0, amplitude=0.001), sine(1000, 1.0, amplitude=0.3)
    engine.card.set_scene(np.concatenate([quiet, loud]), 48000)
    try:
        engine.configure(sound_level_threshold=60)
        events.wait(audio.started("clip"), clip=clip)
    finally:
        engine.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)


def test_a_sound_passing_the_threshold_plays_a_clip_each_way(engine: Core, rules: Rules,
                                                             events: Events) -> None:
    """The manual's "passes the set value": a crossing up and a crossing down
    each run the action; "above" runs it on the way up only."""
    clip = engine.add_clip(encode(sine(440, 0.3), 48000, "wav"), "crossing.wav")
    level = {"topic": events_contract.SOUND_LEVEL.topic}
    rules.add(name="Mark each crossing", trigger={**level, "value": None}, action=play(clip))
    triggered = state_event(audio.sound_level_triggered(0))
    engine.configure(sound_level_threshold=60)
    try:
        engine.card.set_scene(sine(1000, 1.0, amplitude=0.3), 48000)
        events.wait(triggered, value=True)
        events.wait(audio.started("clip"), clip=clip)
        engine.card.set_scene(sine(1000, 1.0, amplitude=0.001), 48000)
        fell = events.wait(triggered, value=False)
        wait_until(lambda: [e for e in events.of(audio.started("clip"), clip=clip)
                            if e.time >= fell.time], what="a second run on the way down")
    finally:
        engine.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)
    assert len(events.of(audio.started("clip"), clip=clip)) == 2
    refused = rules.call(events_contract.ADD_RULE, by="test", rule={
        "name": "x", "trigger": {**level, "value": None}, "action": play(clip, "while_active")})
    assert "only with a trigger that has a state" in refused["message"], refused
    inverted = rules.call(events_contract.ADD_RULE, by="test", rule={
        "name": "x", "trigger": {**level, "value": None, "invert": True}, "action": play(clip)})
    assert "cannot be inverted" in inverted["message"], inverted


def test_an_action_configuration_is_the_action_of_the_rules_that_name_it(
        rules: Rules) -> None:
    """VAPIX's action service: an action kept under a name, run by rules that name
    it, kept while they do."""
    stop = {"name": "Silence", "template": "com.axis.action.fixed.stop.audioclip",
            "parameters": {}, "action": {"kind": "stop_clip"}}
    added = rules.call(events_contract.ADD_ACTION, configuration=stop, by="test")
    assert added["ok"], added
    [listed] = rules.call(events_contract.LIST_ACTIONS)["actions"]
    assert listed["id"] == added["id"] and listed["name"] == "Silence"
    rule = rules.add(name="Hush", trigger={"topic": events_contract.MANUAL_TRIGGER.topic},
                     configuration=added["id"], action=play(1))
    [kept] = rules.listed()
    assert (kept["id"], kept["configuration"], kept["action"]["kind"]) == (
        rule, added["id"], "stop_clip")
    assert rules.call(events_contract.REMOVE_ACTION, action_id=added["id"]) == {
        "ok": False, "message": "the rule 'Hush' runs this action configuration"}
    unknown = rules.call(events_contract.ADD_RULE, by="test", rule={
        "name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic},
        "configuration": 999})
    assert unknown == {"ok": False, "message": "there is no action configuration 999"}
    for bad, words in (({**stop, "action": {"kind": "format_disk"}}, "action: one of"),
                       ({**stop, "name": ""}, "name: 1 to 64"),
                       ({**stop, "parameters": {"x": 1}}, "parameters:"),
                       ({**stop, "action": {"kind": "notify", "recipient": 77}},
                        "there is no recipient 77")):
        reply = rules.call(events_contract.ADD_ACTION, configuration=bad, by="test")
        assert reply["ok"] is False and words in reply["message"], (bad, reply)
    assert len(rules.call(events_contract.LIST_ACTIONS)["actions"]) == 1
    rules.call(events_contract.REMOVE_RULE, rule_id=rule, by="test")
    assert rules.call(events_contract.REMOVE_ACTION, action_id=added["id"]) == {"ok": True}


def wall(moment: datetime) -> str:
    """iCalendar's floating time; the device's time zone is UTC by default."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def test_a_schedule_plays_a_clip_while_it_is_active(engine: Core, rules: Rules,
                                                    events: Events) -> None:
    clip = engine.add_clip(encode(sine(523, 1.0), 48000, "wav"), "chime.wav")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    added = rules.call(events_contract.ADD_SCHEDULE, name="In a moment", by="test", ical=(
        f"DTSTART:{wall(start)}\nDTEND:{wall(start + timedelta(seconds=2))}\n"
        "RRULE:FREQ=DAILY"))
    assert added["ok"], added
    rules.add(name="Chime in the moment", action=play(clip, "while_active"), trigger={
        "topic": events_contract.SCHEDULE.topic, "source": added["id"]})
    began = events.wait(audio.started("clip"), clip=clip)
    ended = events.wait(audio.stopped("clip"), clip=clip)
    assert ended.data["reason"] == "rule ended"
    assert began.data["at"] >= start.timestamp()
    assert ended.time - began.data["at"] == pytest.approx(2.0, abs=0.5)
    in_use = rules.call(events_contract.REMOVE_SCHEDULE, schedule_id=added["id"])
    assert in_use == {"ok": False, "message": "the rule 'Chime in the moment' uses this schedule"}


def test_a_pulse_plays_a_clip_each_time_it_fires(engine: Core, rules: Rules,
                                                 events: Events) -> None:
    clip = engine.add_clip(encode(sine(880, 0.1), 48000, "wav"), "tick.wav")
    added = rules.call(events_contract.ADD_SCHEDULE, name="Every second", by="test",
                       ical=f"DTSTART:{wall(datetime.now(UTC))}\nRRULE:FREQ=SECONDLY")
    rules.add(name="Tick", action=play(clip), trigger={
        "topic": events_contract.PULSE.topic, "source": added["id"]})
    wait_until(lambda: len(events.of(audio.started("clip"), clip=clip)) >= 3,
               what="three ticks")
    ticks = [e.data["at"] for e in events.of(audio.started("clip"), clip=clip)]
    assert np.diff(ticks[:3]) == pytest.approx([1.0, 1.0], abs=0.25)


def test_the_schedules_axis_devices_ship_are_there_and_bad_ones_are_refused(
        rules: Rules) -> None:
    listed = rules.call(events_contract.LIST_SCHEDULES)["schedules"]
    assert {s["name"] for s in listed if s["builtin"]} >= {"Office Hours", "Weekends"}
    for ical, words in (("DTSTART:19700101T180000\nRRULE:FREQ=MONTHLY", "FREQ"),
                        ("nonsense", "DTSTART"), ("", "DTSTART")):
        reply = rules.call(events_contract.ADD_SCHEDULE, name="Bad", ical=ical)
        assert reply["ok"] is False and words in reply["message"], reply
    builtin = next(s["id"] for s in listed if s["builtin"])
    assert rules.call(events_contract.REMOVE_SCHEDULE, schedule_id=builtin)["ok"] is False
    assert rules.call(events_contract.LIST_SCHEDULES)["schedules"] == listed
    unknown = rules.call(events_contract.ADD_RULE, by="test", rule={
        "name": "x", "trigger": {"topic": events_contract.SCHEDULE.topic, "source": "404"},
        "action": play(1)})
    assert unknown == {"ok": False, "message": "there is no schedule '404'"}


def test_a_rule_notifies_a_recipient_with_the_facts_of_the_run(rules: Rules) -> None:
    with tcp_listener() as desk:
        added = rules.call(events_contract.ADD_RECIPIENT, by="test", recipient={
            "type": "tcp", "name": "Front desk", "host": "127.0.0.1", "port": desk.port})
        assert added["ok"], added
        rules.add(name="Call the desk", trigger={"topic": events_contract.MANUAL_TRIGGER.topic},
                  action={"kind": "notify", "recipient": added["id"], "subject": "Help",
                          "message": "{rule}: {event} at {time}"})
        rules.call(events_contract.SET_MANUAL_TRIGGER, active=True)
        [message] = wait_until(lambda: desk.received, what="the desk to be told")
    text = message.decode()
    assert text.startswith("Call the desk: Manual trigger at ") and text.endswith(" UTC")
    in_use = rules.call(events_contract.REMOVE_RECIPIENT, recipient_id=added["id"])
    assert in_use == {"ok": False, "message": "the rule 'Call the desk' uses this recipient"}


def test_a_rule_records_the_microphone_while_it_is_active(engine: Core, rules: Rules) -> None:
    def listed() -> list[dict[str, Any]]:
        return engine.bus.call(recordings.SERVICE, recordings.LIST)["recordings"]["recordings"]

    before = len(listed())
    rules.add(name="Record the door", action={"kind": "record", "mode": "while_active"},
              trigger={"topic": events_contract.VIRTUAL_INPUT.topic, "source": 4})
    rules.call(events_contract.SET_VIRTUAL_INPUT, port=4, active=True)
    try:
        newest = wait_until(lambda: len(listed()) > before and listed()[0],
                            what="the rule's recording")
        assert newest["status"] == recordings.RECORDING
        wav = Path(newest["file"])
        wait_until(lambda: wav.exists() and wav.stat().st_size > 2 * 16000,
                   what="a second of 16 kHz audio in the file")
    finally:
        rules.call(events_contract.SET_VIRTUAL_INPUT, port=4, active=False)
    stopped = wait_until(lambda: listed()[0]["status"] == recordings.STOPPED and listed()[0],
                         what="the recording to stop with the rule")
    assert stopped["seconds"] >= 1
    for recording in listed()[: len(listed()) - before]:
        engine.bus.call(recordings.SERVICE, recordings.DELETE, recording=recording["id"])


def test_recipients_are_listed_without_passwords_and_tested_with_the_reason(
        rules: Rules) -> None:
    with tcp_listener(listening=False) as down:
        added = rules.call(events_contract.ADD_RECIPIENT, by="test", recipient={
            "type": "ftp", "name": "Archive", "host": "127.0.0.1", "port": down.port,
            "username": "speaker", "password": "s3cret-pass"})
        assert added["ok"], added
        [listed] = rules.call(events_contract.LIST_RECIPIENTS)["recipients"]
        assert listed["password_set"] is True and "s3cret-pass" not in str(listed)
        tested = rules.call(events_contract.TEST_RECIPIENT, recipient=added["id"], timeout=30)
        assert tested["ok"] is False and "refused" in tested["message"], tested
    bad = rules.call(events_contract.ADD_RECIPIENT, recipient={"type": "tcp", "name": "x",
                                                               "host": "127.0.0.1", "port": 0})
    assert bad["ok"] is False and bad["message"].startswith("port:"), bad
    unknown = rules.call(events_contract.ADD_RULE, by="test", rule={
        "name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic},
        "action": {"kind": "notify", "recipient": 999}})
    assert unknown == {"ok": False, "message": "there is no recipient 999"}


@pytest.mark.parametrize(("rule", "words"), [
    ({"name": "", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic},
      "action": play(1)}, "name: 1 to 64"),
    ({"name": "x", "trigger": {"topic": "tns1:Nothing/Here"}, "action": play(1)},
     "no event 'tns1:Nothing/Here'"),
    ({"name": "x", "trigger": {"topic": events_contract.VIRTUAL_INPUT.topic, "source": 99},
      "action": play(1)}, "no instance 99"),
    ({"name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic},
      "action": play(1, volume=400)}, "volume: a whole number from 0 to 100"),
    ({"name": "x", "trigger": {"topic": events_contract.PULSE.topic},
      "action": play(1, "while_active")}, "only with a trigger that has a state"),
    ({"name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic},
      "action": {"kind": "format_disk"}}, "action: one of play_clip, stop_clip, notify, record"),
    ({"name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic},
      "action": {"kind": "record"}}, "a recording lasts while_active"),
    ({"name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic},
      "action": {"kind": "notify", "recipient": 1, "subject": "a\nb"}}, "subject: one line"),
    ({"name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic}, "action": play(1),
      "wait_seconds": -1}, "wait_seconds: a whole number from 0 to 86400"),
    ({"name": "x", "trigger": {"topic": events_contract.MANUAL_TRIGGER.topic}, "action": play(1),
      "colour": "red"}, "unknown field 'colour'"),
    ({"name": "x", "trigger": {"topic": events_contract.MQTT_MESSAGE.topic, "value": 1},
      "action": play(1)}, "MQTT message's Payload is text of at most 1024 characters"),
    ({"name": "x", "trigger": {"topic": events_contract.MQTT_STATE.topic, "source": "t" * 256},
      "action": play(1)}, "MQTT state has no instance"),
])
def test_bad_rules_are_refused_with_the_reason_and_nothing_is_kept(
        rules: Rules, rule: dict[str, Any], words: str) -> None:
    reply = rules.call(events_contract.ADD_RULE, rule=rule, by="test")
    assert reply["ok"] is False and words in reply["message"], reply
    assert rules.listed() == []


def test_bad_virtual_input_calls_are_refused(rules: Rules) -> None:
    for params in ({"port": 0, "active": True}, {"port": 33, "active": True},
                   {"port": 1, "active": "yes"}, {"port": 1, "active": True, "seconds": -5}):
        reply = rules.call(events_contract.SET_VIRTUAL_INPUT, **params)
        assert reply["ok"] is False, params


def firmware_status(last: update.UpgradeResult | None) -> dict[str, Any]:
    """The firmware status as the boot gate publishes it, with `last` its last result."""
    slots = tuple(update.SlotState(name, name == "B", name == "B", True, "1.2.0", "")
                  for name in ("A", "B"))
    return update.FirmwareStatus("1.2.0", "B", slots, None, last).to_dict()


def test_firmware_upgraded_happens_once_for_each_upgrade_kept(engine: Core, rules: Rules,
                                                              events: Events) -> None:
    """The boot gate's status after it kept an upgrade; the same status published
    again (the update service starting) or a rollback is no new upgrade. The
    events service takes what it follows in order: once it has told of a speaker
    test result published last, it has told of every upgrade before."""
    clip = engine.add_clip(encode(sine(520, 0.2), 48000, "wav"), "upgraded.wav")
    rules.add(name="Upgraded", trigger={"topic": events_contract.FIRMWARE_UPGRADED.topic},
              action=play(clip))
    told = redis.Redis.from_url(engine.redis_url).pubsub(ignore_subscribe_messages=True)
    told.subscribe(EVENT_PREFIX + events_contract.NOTIFY)
    wait_until(lambda: told.get_message(timeout=0.1) is None and told.subscribed,
               what="the subscription")
    kept = update.UpgradeResult("upgraded", "1.2.0", "Upgraded from 1.1.0 to 1.2.0.", 1e9)
    try:
        engine.bus.set_state(update.STATUS, firmware_status(kept))
        events.wait(audio.stopped("clip"), clip=clip)  # the rule ran
        engine.bus.set_state(update.STATUS, firmware_status(kept))
        engine.bus.set_state(update.STATUS, firmware_status(update.UpgradeResult(
            "rolled back", "1.1.0", "Rolled back.", 1e9 + 60)))
        engine.bus.set_state(update.STATUS, firmware_status(update.UpgradeResult(
            "upgraded", "1.3.0", "Upgraded from 1.1.0 to 1.3.0.", 1e9 + 120)))
        engine.bus.publish(audio.SPEAKER_TEST_RESULT, **audio.SpeakerTestResult(
            audio.TEST, True, 1e9 + 180, 1.0, ()).to_dict())
        topics: list[str] = []

        def sentinel_told() -> bool:
            while (message := told.get_message(timeout=0.1)) is not None:
                topics.append(Event.decode(message["data"]).data["notification"]["topic"])
            return events_contract.SPEAKER_TEST.topic in topics

        wait_until(sentinel_told, what="the speaker test result, published last")
        assert topics.count(events_contract.FIRMWARE_UPGRADED.topic) == 2, topics
    finally:
        told.close()
        engine.bus.set_state(update.STATUS, None)
