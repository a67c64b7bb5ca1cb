"""The device's events on the broker: herald-core (audio and events, on a
file-backed sound card) plays a clip and hears a loud sound; herald-mqtt
publishes each under the topic prefix as the MQTT.Publication settings say."""

from __future__ import annotations

import json

from herald.audio import contract as audio
from tests.audio.conftest import Core
from tests.audio.signals import RATE, encode, sine
from tests.conftest import wait_until
from tests.mqtt.device import PREFIX, SERIAL, plain

CLIP = f"{PREFIX}/event/MediaClip/Playing"
LEVEL = f"{PREFIX}/event/AudioSource/TriggerLevel"
CONNECTION = f"{PREFIX}/event/connection"


def loud(core: Core) -> None:
    core.configure(sound_level_threshold=60)
    core.card.set_scene(sine(1000, 1.0, amplitude=0.3), RATE)


def test_a_clip_and_a_loud_sound_arrive_at_a_subscriber(core, broker, subscribe, make_client):
    watcher = subscribe(f"{PREFIX}/event/#")
    client = make_client(plain(broker, **{"MQTT.Publication.Enabled": "yes",
                                          "MQTT.Publication.QoS": "1",
                                          "MQTT.Publication.Retain": "property"}))
    client.wait_for("connected")
    clip = core.add_clip(encode(sine(440, 0.3), RATE, "wav"), "Doorbell.wav")
    core.call("play_clip", clip=clip)
    started = watcher.next(CLIP)
    body = json.loads(started.payload)
    assert body["topic"] == "axis:MediaClip/axis:Playing"
    assert body["message"]["data"] == {"Playing": True}
    assert body["serialNumber"] == SERIAL and started.qos == 1
    assert json.loads(watcher.next(CLIP).payload)["message"]["data"] == {"Playing": False}

    loud(core)
    crossed = json.loads(watcher.next(LEVEL).payload)
    assert crossed["topic"] == "onvif:AudioSource/axis:TriggerLevel"
    assert crossed["message"]["data"] == {"triggered": True}
    # "Property": a stateful event is retained, so a newcomer learns the state.
    late = subscribe(LEVEL)
    kept = late.next(LEVEL)
    assert kept.retain and json.loads(kept.payload)["message"]["data"] == {"triggered": True}


def test_conditions_namespaces_and_serial_number(core, broker, subscribe, make_client):
    watcher = subscribe("site/#")
    client = make_client(plain(broker, **{
        "MQTT.Publication.Enabled": "yes", "MQTT.Publication.Conditions": "tns1:AudioSource",
        "MQTT.Publication.UseDefaultPrefix": "no", "MQTT.Publication.CustomPrefix": "site",
        "MQTT.Publication.IncludeTopicNamespaces": "yes",
        "MQTT.Publication.IncludeSerialNumber": "no", "MQTT.ConnectMessage.Enabled": "no"}))
    client.wait_for("connected")
    clip = core.add_clip(encode(sine(440, 0.3), RATE, "wav"), "Doorbell.wav")
    core.call("play_clip", clip=clip)
    core.wait_idle()
    loud(core)
    # The clip came first but is not among the conditions: the sound level is
    # the first message the broker routes.
    first = watcher.next_any()
    assert first.topic == "site/event/onvif:AudioSource/axis:TriggerLevel"
    assert "serialNumber" not in json.loads(first.payload)


def test_nothing_is_published_while_publication_is_off(core, broker, subscribe, make_client):
    watcher = subscribe(f"{PREFIX}/event/#")
    client = make_client(plain(broker))
    watcher.next(CONNECTION)
    loud(core)
    wait_until(lambda: core.bus.state().get(audio.sound_level_triggered(0)),
               what="the loud sound to cross the level")
    # The change and the events reach herald-mqtt in the order they happened.
    client.change({"MQTT.Publication.Enabled": "yes"})
    core.card.set_scene(sine(1000, 1.0, amplitude=0.001), RATE)
    # The crossing up happened while off: the first message is the way down.
    first = watcher.next_any()
    assert first.topic == LEVEL
    assert json.loads(first.payload)["message"]["data"] == {"triggered": False}
