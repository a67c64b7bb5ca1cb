"""A rule's "Send MQTT publish message" on the whole stack, set up over VAPIX as
a management system does (an action configuration from its template, then a
rule): herald-mqtt publishes it to mosquitto; while the client is off the
rule's error says so."""

from __future__ import annotations

import pytest

from herald.access import Level
from herald.events import contract as events
from herald.mqtt import contract as mqtt
from tests.conftest import wait_until
from tests.mqtt.broker import HOST, PASSWORD, USER
from tests.webadmin.event_actions import (
    ACTION1,
    add_configuration,
    add_rule,
    call,
    envelope,
    event,
    found,
    items,
)
from tests.webadmin.event_soap import fault, services, virtual_input

PUBLISH = "com.axis.action.fixed.mqtt.publish"


def rule_error(herald) -> str:
    [rule] = herald.bus().call(events.SERVICE, events.LIST_RULES)["rules"]
    return rule["error"]


@pytest.mark.usefixtures("kept")
def test_a_rule_publishes_a_message_to_the_broker(herald, broker, subscribe, beside_stack):
    templates = call(herald, envelope("<act:GetActionTemplates/>"))
    publish = next(t for t in templates.iter(f"{{{ACTION1}}}ActionTemplate")
                   if found(t, "TemplateToken") == PUBLISH)
    assert {p.get("Name") for p in publish.iter(f"{{{ACTION1}}}Parameter")} == {
        "topic", "payload", "qos", "retain"}
    configuration = found(call(herald, add_configuration(
        "Tell the house", PUBLISH, topic="house/speaker", payload="{rule} ran", qos=1,
        retain=1)), "ConfigurationID")
    call(herald, add_rule("Doorbell pressed", configuration,
                          start=event("StartEvent", events.VIRTUAL_INPUT.topic,
                                      items(port=5, active=1))))

    virtual_input(herald, "activate", port=5)
    wait_until(lambda: "the MQTT client is off" in rule_error(herald),
               what="the rule's error while the client is off")
    virtual_input(herald, "deactivate", port=5)

    watcher = subscribe("house/#")
    beside_stack.update({"MQTT.Client.Enabled": "yes", "MQTT.Client.Host": HOST,
                         "MQTT.Client.Port": str(broker.plain_port),
                         "MQTT.Client.Username": USER, "MQTT.Client.Password": PASSWORD},
                        Level.ADMIN)
    wait_until(lambda: (herald.bus().state().get(mqtt.STATUS) or {}).get("state")
               == mqtt.CONNECTED, what="herald-mqtt to connect")
    virtual_input(herald, "activate", port=5)
    try:
        message = watcher.next("house/speaker")
        assert (message.payload, message.qos, message.retain) == (b"Doorbell pressed ran", 1,
                                                                  False)
        assert rule_error(herald) == ""
        # Retained: a newcomer gets it too.
        assert subscribe("house/speaker").next("house/speaker").retain
    finally:  # the stack is shared: the next test finds the input as it was
        virtual_input(herald, "deactivate", port=5)


@pytest.mark.usefixtures("kept")
@pytest.mark.parametrize(("values", "words"), [
    ({"topic": "house/#", "payload": "x"}, "holds + or #"),
    ({"topic": "", "payload": "x"}, "a topic is 1 to 255 characters"),
    ({"topic": "house", "payload": "x", "qos": 3}, "qos: a whole number from 0 to 2"),
    ({"topic": "house", "payload": "x", "retain": "maybe"}, "retain: 1 or 0"),
])
def test_a_bad_publish_configuration_is_refused(herald, values, words):
    reply = fault(services(herald, "admin", add_configuration("Bad", PUBLISH, **values)))
    assert reply[0] == "env:Sender" and words in reply[2], reply
    assert herald.bus().call(events.SERVICE, events.LIST_ACTIONS)["actions"] == []
