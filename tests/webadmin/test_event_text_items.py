"""Action rules over VAPIX on events whose items are free text (an MQTT topic
and payload, a network interface): the item filter's values become the rule's
instance and state, and GetActionRules gives the filter back."""

from __future__ import annotations

import pytest

from herald.events import contract
from tests.webadmin.event_actions import (
    ACTION1,
    WSNT,
    add_configuration,
    add_rule,
    call,
    envelope,
    event,
    found,
    items,
)
from tests.webadmin.event_soap import fault, services

STOP = "com.axis.action.fixed.stop.audioclip"


def kept_rule(herald, name: str) -> dict:
    return next(r for r in herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]
                if r["name"] == name)


@pytest.mark.usefixtures("kept")
@pytest.mark.parametrize(("topic", "content", "source", "value"), [
    (contract.MQTT_MESSAGE.topic, items(Topic="home/bell", Payload="ring"), "home/bell", "ring"),
    (contract.MQTT_MESSAGE.topic, items(Topic="home/bell"), "home/bell", None),
    (contract.MQTT_STATE.topic, items(Payload="open"), None, "open"),
    (contract.NETWORK_LOST.topic, items(interface="eth0", lost=1), "eth0", True),
    (contract.ADDRESS_ADDED.topic, None, None, None),
])
def test_a_rule_on_text_items_keeps_the_values_the_filter_names(herald, topic, content, source,
                                                                value):
    action = found(call(herald, add_configuration("Stop", STOP)), "ConfigurationID")
    call(herald, add_rule("Text items", action, start=event("StartEvent", topic, content)))
    rule = kept_rule(herald, "Text items")
    assert (rule["trigger"]["topic"], rule["trigger"]["source"], rule["trigger"]["value"]) == (
        topic, source, value)
    [listed] = call(herald, envelope("<act:GetActionRules/>")).iter(f"{{{ACTION1}}}ActionRule")
    start = listed.find(f"{{{ACTION1}}}StartEvent")
    assert start.findtext(f"{{{WSNT}}}MessageContent") == content


@pytest.mark.usefixtures("kept")
def test_a_filter_that_names_two_topics_is_refused(herald):
    action = found(call(herald, add_configuration("Stop", STOP)), "ConfigurationID")
    either = ('boolean(//SimpleItem[@Name="Topic" and @Value="a"]) or '
              'boolean(//SimpleItem[@Name="Topic" and @Value="b"])')
    reply = fault(services(herald, "admin", add_rule(
        "Two", action, start=event("StartEvent", contract.MQTT_MESSAGE.topic, either))))
    assert reply[0] == "env:Sender" and "must name one instance (Topic)" in reply[2], reply
