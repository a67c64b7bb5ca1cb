"""The "Light profile" action of a rule in herald-core: the profile's activity
shows with its priority on the simulated board's status LED while the rule
is active and stops when the rule ends; a missing profile is the rule's error."""

from __future__ import annotations

from herald.bus import Bus
from herald.events import contract as events
from herald.hal.led import LEDState
from herald.light import contract as light
from herald.light.contract import LightStatus
from herald.simulation.board import SimulatedBoard
from tests.audio.conftest import core_on
from tests.conftest import wait_until

ALARM = {"name": "Alarm", "pattern": "blink", "speed": "fast", "colour": "red", "priority": 7}
PORT = 3


def light_status(bus: Bus) -> LightStatus:
    return LightStatus.from_dict(bus.state()[light.STATUS])


def test_a_rule_shows_its_profile_while_active(tmp_path, own_redis_url):
    with core_on(tmp_path, own_redis_url) as core:
        bus, board = core.bus, SimulatedBoard(tmp_path / "core" / "board")
        wait_until(lambda: board.led_state() == LEDState("green", 1.0, "steady"),
                   what="normal operation's steady green")
        assert bus.call(light.SERVICE, light.SAVE, profile=ALARM)["ok"]
        added = bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
            "name": "Alarm light", "trigger": {"topic": events.VIRTUAL_INPUT.topic,
                                               "source": PORT},
            "action": {"kind": events.LIGHT_PROFILE, "profile": "Alarm",
                       "mode": events.WHILE_ACTIVE}})
        assert added["ok"], added
        bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=PORT, active=True)
        status = wait_until(lambda: (s := light_status(bus)).activities and s,
                            what="the rule's light activity")
        [activity] = status.activities
        assert (activity.name, activity.priority, activity.by) == ("Alarm", 7, "rule Alarm light")
        assert status.shown == activity.id
        assert board.led_state() == LEDState("red", 1.0, "blink", 0.2, 0.2)
        bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=PORT, active=False)
        wait_until(lambda: not light_status(bus).activities, what="the activity to stop")
        assert board.led_state() == LEDState("green", 1.0, "steady")


def test_a_rule_naming_a_missing_profile_says_so(tmp_path, own_redis_url):
    with core_on(tmp_path, own_redis_url) as core:
        bus = core.bus
        bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
            "name": "Ghost", "trigger": {"topic": events.VIRTUAL_INPUT.topic, "source": PORT},
            "action": {"kind": events.LIGHT_PROFILE, "profile": "Nowhere"}})
        bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=PORT, active=True)
        rule = wait_until(lambda: (r := bus.call(events.SERVICE, events.LIST_RULES)["rules"][0])
                          ["error"] and r, what="the rule's error")
        assert "no profile named 'Nowhere'" in rule["error"]
        assert not light_status(bus).activities
