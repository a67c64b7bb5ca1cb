"""The manual's example "Play audio when a camera detects motion", end to end on
the whole device: the camera's side is a rule with an HTTP recipient that
calls the speaker's clip link (playclip.cgi, with Digest), as an AXIS camera's
rule would; the clip reaches the sound card. Here the device plays both
parts: its own rule, triggered by a virtual input, calls its own clip link."""

from __future__ import annotations

import pytest

from herald.audio import contract as audio
from herald.events import contract as events
from tests.audio.conftest import Events
from tests.audio.signals import bursts, dominant_frequency, encode, sine
from tests.audio.webstack import AudioDevice, upload, uploaded_id


def test_a_clip_link_called_through_an_http_recipient_plays_the_clip(
        device: AudioDevice) -> None:
    clip = uploaded_id(upload(device, encode(sine(950, 0.5, 16000), 16000, "wav"), "dog.wav",
                              name="Dog barking"))
    bus, viewer = device.stack.bus(), device.stack.accounts["viewer"]
    link = bus.call(events.SERVICE, events.ADD_RECIPIENT, by="test", recipient={
        "type": "http", "name": "Speaker clip link", "method": "GET",
        "url": device.stack.http_url + "/axis-cgi/playclip.cgi",
        "username": viewer.name, "password": viewer.password})
    assert link["ok"], link
    rule = bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Motion: bark", "trigger": {"topic": events.VIRTUAL_INPUT.topic, "source": 2},
        "action": {"kind": "notify", "recipient": link["id"],
                   "message": f"clip={clip}&volume=100"}})
    assert rule["ok"], rule
    log = Events(device.stack.redis_url)
    try:
        device.start_listening()
        bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=2, active=True)
        log.wait(audio.started("clip"), timeout=30, clip=clip)
        heard = device.heard()
        [burst] = bursts(heard, threshold=0.01)
        assert burst.seconds == pytest.approx(0.5, abs=0.02)
        assert dominant_frequency(heard[burst.start:burst.end]) == pytest.approx(950, rel=0.01)
    finally:
        log.close()
        bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=2, active=False)
        bus.call(events.SERVICE, events.REMOVE_RULE, rule_id=rule["id"], by="test")
        bus.call(events.SERVICE, events.REMOVE_RECIPIENT, recipient_id=link["id"], by="test")
