"""QoS 1 publications made while the broker is away wait in the client's
outbox, survive a restart of the client, and arrive in order once the broker
is back (mosquitto stopped and started again on the same ports)."""

from __future__ import annotations

import json

from herald.events import contract as events
from tests.audio.conftest import Core
from tests.conftest import wait_until
from tests.mqtt.device import PREFIX, Client, plain

VIRTUAL_INPUT = f"{PREFIX}/event/Device/IO/VirtualInput"
QOS1 = {"MQTT.Publication.Enabled": "yes", "MQTT.Publication.QoS": "1",
        "MQTT.Publication.Conditions": "tns1:Device/tnsaxis:IO/VirtualInput"}


def toggle(core: Core, times: int) -> list[bool]:
    """Virtual input 1 on and off `times` times: the states in the order made."""
    made = []
    for _ in range(times):
        for active in (True, False):
            reply = core.bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=1, active=active)
            assert reply["ok"] and reply["changed"], reply
            made.append(active)
    return made


def received(watcher, count: int) -> list[bool]:
    return [json.loads(watcher.next(VIRTUAL_INPUT).payload)["message"]["data"]["active"]
            for _ in range(count)]


def away(client: Client, broker, core: Core, times: int) -> list[bool]:
    broker.stop()
    client.wait_for("disconnected")
    made = toggle(core, times)
    wait_until(lambda: client.status()["queued"] == len(made),
               what=f"{len(made)} messages queued")
    return made


def test_queued_messages_arrive_in_order_after_the_broker_restarts(core, broker, subscribe,
                                                                   make_client):
    client = make_client(plain(broker, **QOS1))
    client.wait_for("connected")
    made = away(client, broker, core, 4)
    broker.start()
    watcher = subscribe(VIRTUAL_INPUT)
    assert received(watcher, len(made)) == made
    wait_until(lambda: client.status()["state"] == "connected" and client.status()[
        "queued"] == 0, what="the queue to empty")


def test_a_restart_of_the_client_loses_none(core, broker, subscribe, make_client):
    client = make_client(plain(broker, **QOS1))
    client.wait_for("connected")
    made = away(client, broker, core, 3)
    client.kill()
    broker.start()
    watcher = subscribe(VIRTUAL_INPUT)
    client.restart()
    assert received(watcher, len(made)) == made
    # and what happens now follows them
    now = toggle(core, 1)
    assert received(watcher, len(now)) == now


def test_the_queue_is_bounded_and_keeps_the_newest(core, broker, subscribe, make_client):
    client = make_client(plain(broker, **QOS1, **{"MQTT.Client.MaxQueued": "3"}))
    client.wait_for("connected")
    broker.stop()
    client.wait_for("disconnected")
    made = toggle(core, 3)
    wait_until(lambda: client.status()["queued"] == 3, what="the queue to hold 3")
    assert "the queue holds 3 messages at most: 1 oldest dropped" in client.log.read_text()
    broker.start()
    watcher = subscribe(VIRTUAL_INPUT)
    assert received(watcher, 3) == made[-3:]
    now = toggle(core, 1)  # nothing older follows: the next are the new ones
    assert received(watcher, len(now)) == now
