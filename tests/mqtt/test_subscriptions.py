"""MQTT subscriptions as event sources: a message on a subscribed topic starts
the rules that name it, as on AXIS devices (the manual's "MQTT subscriptions":
stateless, each message an event; stateful, the payload the topic's state).
herald-mqtt on a real mosquitto, herald-core plays the rule's clip into a
file-backed sound card."""

from __future__ import annotations

import contextlib
import queue

import pytest

from herald.access import Level
from herald.audio import contract as audio
from herald.events import contract as events
from herald.mqtt import contract as mqtt
from tests.audio.conftest import Core, Events
from tests.audio.signals import RATE, bursts, dominant_frequency, encode, sine
from tests.conftest import wait_until
from tests.mqtt.device import PREFIX, Client, plain


def subscribe_device(client: Client, **values: str) -> None:
    """A subscription as the page adds it (values: Filter, UseDevicePrefix, Type, QoS)."""
    client.params.add(mqtt.SUBSCRIPTION_TEMPLATE, mqtt.SUBSCRIPTIONS, {
        f"{mqtt.SUBSCRIPTIONS}.S.{name}": value for name, value in values.items()}, Level.ADMIN)


def add_rule(core: Core, trigger: dict, action: dict) -> int:
    answer = core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "MQTT rule", "trigger": trigger, "action": action})
    assert answer["ok"], answer
    return answer["id"]


def test_a_message_on_a_subscribed_topic_makes_a_rule_play_a_clip(
        core, broker, subscribe, make_client):
    doorbell = f"{PREFIX}/doorbell"
    clip = core.add_clip(encode(sine(660, 0.3), RATE, "wav"), "Chime.wav")
    add_rule(core, {"topic": events.MQTT_MESSAGE.topic, "source": doorbell, "value": "pressed"},
             {"kind": events.PLAY_CLIP, "clip": clip})
    other = subscribe(f"{PREFIX}/#")
    # Kept by the broker: it reaches the device as soon as the subscription is made.
    other.send(doorbell, "pressed", retain=True)
    client = make_client(plain(broker))
    client.wait_for("connected")
    log = Events(core.redis_url)
    try:
        core.start_listening()
        subscribe_device(client, Filter="doorbell", UseDevicePrefix="yes")
        log.wait(audio.started("clip"), clip=clip)
        heard = core.heard()
        [burst] = bursts(heard, threshold=0.01)
        assert burst.seconds == pytest.approx(0.3, abs=0.02)
        assert dominant_frequency(heard[burst.start:burst.end]) == pytest.approx(660, rel=0.01)
        # Another payload is no match; the broker delivers both in order, so when the
        # second "pressed" has played, "released" was passed by.
        other.send(doorbell, "released")
        other.send(doorbell, "pressed")
        wait_until(lambda: len(log.of(audio.started("clip"))) == 2,
                   what="the second press to play the clip")
        core.wait_idle()
        assert len(log.of(audio.started("clip"))) == 2
    finally:
        log.close()


def test_a_stateful_subscription_plays_while_the_payload_says_so(
        core, broker, subscribe, make_client):
    door = "home/door"
    clip = core.add_clip(encode(sine(880, 0.2), RATE, "wav"), "Alarm.wav")
    add_rule(core, {"topic": events.MQTT_STATE.topic, "source": door, "value": "open"},
             {"kind": events.PLAY_CLIP, "clip": clip, "mode": events.WHILE_ACTIVE})
    other = subscribe("home/#")
    other.send(door, "open", retain=True)
    client = make_client(plain(broker))
    client.wait_for("connected")
    log = Events(core.redis_url)
    try:
        subscribe_device(client, Filter="home/+", Type=mqtt.STATEFUL, QoS="1")
        log.wait(audio.started("clip"), clip=clip)
        other.send(door, "closed")
        log.wait(audio.stopped("clip"), clip=clip)
        states = core.bus.call(events.SERVICE, events.STATES)["states"]
        assert {"topic": events.MQTT_STATE.topic, "source": door, "value": "closed"} in states
    finally:
        log.close()


def test_messages_from_the_broker_are_not_published_back(core, broker, subscribe, make_client):
    """A subscription to everything beside the publication of every event: the
    device's own events come back as messages, and they must not go out again."""
    watcher = subscribe("#")
    client = make_client(plain(broker, **{"MQTT.Publication.Enabled": "yes"}))
    client.wait_for("connected")
    clip = core.add_clip(encode(sine(440, 0.2), RATE, "wav"), "Beep.wav")
    add_rule(core, {"topic": events.MQTT_MESSAGE.topic, "source": "home/bell"},
             {"kind": events.PLAY_CLIP, "clip": clip})
    subscribe_device(client, Filter="#")
    seen: list[str] = []

    def done() -> bool:
        return bool(seen) and (seen[-1].endswith("/MediaClip/Playing")
                               or "MQTT/Message" in seen[-1])

    def rang() -> bool:
        """Ring (again, until the subscription is in place) and read what the broker
        routes: the message's event, were it published, would come before the clip's."""
        watcher.send("home/bell", "ring")
        with contextlib.suppress(queue.Empty):
            while not done():
                seen.append(watcher.next_any(timeout=0.5).topic)
        return done()

    wait_until(rang, what="the bell to play the clip")
    assert not [t for t in seen if "MQTT/Message" in t], seen
