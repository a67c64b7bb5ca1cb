"""VAPIX event.cgi's MQTT subscriptions (event bridge 1.1):
configureMqttSubscription and getMqttSubscriptionConfig read and write the
same MQTT.Subscription groups as the System > MQTT page; admins only; a bad
body changes nothing; a subscription made over VAPIX makes the broker's
messages events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from herald.events import contract as events
from herald.mqtt.contract import STATEFUL, STATELESS, SUBSCRIPTIONS
from herald.params import ParamStore
from tests.conftest import wait_until
from tests.mqtt.device import mqtt_values
from tests.mqtt.vapix import CLIENT, EVENT, INVALID, call, configuration
from tests.webadmin.stack import HeraldStack, post_form

PAGE = "/system/mqtt/"
MISSING = 2103  # "Required parameter missing"
DOORBELL = {"topicFilter": "doorbell", "qos": 1, "useDeviceTopicPrefix": True,
            "subscriptionType": STATELESS}
DOOR = {"topicFilter": "site/+/door", "qos": 2, "useDeviceTopicPrefix": False,
        "subscriptionType": STATEFUL}


def configured(admin: httpx.Client) -> list[dict[str, Any]]:
    reply = call(admin, EVENT, "getMqttSubscriptionConfig")
    return reply["data"]["mqttSubscriptionConfig"]["subscriptionList"]


def stored(store: ParamStore) -> dict[str, str]:
    """The subscriptions' parameters as the page stores them."""
    return {name: value for name, value in mqtt_values(store).items()
            if name.startswith(SUBSCRIPTIONS + ".")}


def test_the_bridge_offers_version_1_1(admin: httpx.Client) -> None:
    reply = admin.post(EVENT, json={"method": "getSupportedVersions"})
    assert reply.json()["data"]["apiVersions"] == ["1.0", "1.1"]


def test_configure_read_back_and_see_on_the_page(herald: HeraldStack, beside_stack,
                                                 admin) -> None:
    assert configured(admin) == []
    reply = call(admin, EVENT, "configureMqttSubscription", subscriptionList=[DOORBELL, DOOR])
    assert reply["data"] == {}
    assert configured(admin) == [DOORBELL, DOOR]
    assert stored(beside_stack) == {
        f"{SUBSCRIPTIONS}.S0.Filter": "doorbell", f"{SUBSCRIPTIONS}.S0.QoS": "1",
        f"{SUBSCRIPTIONS}.S0.UseDevicePrefix": "yes", f"{SUBSCRIPTIONS}.S0.Type": STATELESS,
        f"{SUBSCRIPTIONS}.S1.Filter": "site/+/door", f"{SUBSCRIPTIONS}.S1.QoS": "2",
        f"{SUBSCRIPTIONS}.S1.UseDevicePrefix": "no", f"{SUBSCRIPTIONS}.S1.Type": STATEFUL}
    with herald.browser(herald.accounts["admin"]) as browser:
        page = browser.get(PAGE).text
        assert "<td>doorbell</td>" in page and "<td>site/+/door</td>" in page

        # One added on the page is one VAPIX reads: the same groups.
        post_form(browser, PAGE, {"action": "add", "Filter": "hall/#", "UseDevicePrefix": "no",
                                  "Type": STATELESS, "QoS": "0"})
        assert configured(admin)[2] == {"topicFilter": "hall/#", "qos": 0,
                                        "useDeviceTopicPrefix": False,
                                        "subscriptionType": STATELESS}

        # The list replaces them all; the defaults fill what is not given.
        call(admin, EVENT, "configureMqttSubscription",
             subscriptionList=[{"topicFilter": "alarm"}])
        assert configured(admin) == [{"topicFilter": "alarm", "qos": 0,
                                      "useDeviceTopicPrefix": False,
                                      "subscriptionType": STATELESS}]
        assert "<td>alarm</td>" in browser.get(PAGE).text
        call(admin, EVENT, "configureMqttSubscription", subscriptionList=[])
        assert configured(admin) == [] and stored(beside_stack) == {}
        assert "No subscription." in browser.get(PAGE).text


def _bad_bodies() -> Iterator[dict[str, Any]]:
    yield {}
    yield {"subscriptionList": {"topicFilter": "a"}}
    yield {"subscriptionList": "a"}
    yield {"subscriptionList": [DOORBELL, 1]}
    yield {"subscriptionList": [{"qos": 1}]}
    yield {"subscriptionList": [{"topicFilter": ""}]}
    yield {"subscriptionList": [{"topicFilter": 7}]}
    yield {"subscriptionList": [{"topicFilter": "a/#/b"}]}
    yield {"subscriptionList": [{"topicFilter": "a+"}]}
    yield {"subscriptionList": [{"topicFilter": "x" * 300}]}
    yield {"subscriptionList": [DOORBELL, {"topicFilter": "a", "qos": 3}]}
    yield {"subscriptionList": [{"topicFilter": "a", "qos": "1"}]}
    yield {"subscriptionList": [{"topicFilter": "a", "qos": True}]}
    yield {"subscriptionList": [{"topicFilter": "a", "useDeviceTopicPrefix": "yes"}]}
    yield {"subscriptionList": [{"topicFilter": "a", "subscriptionType": "sometimes"}]}
    yield {"subscriptionList": [{"topicFilter": "a", "retain": "all"}]}
    yield {"subscriptionList": [DOORBELL], "eventFilterList": []}
    yield {"subscriptionList": [{"topicFilter": f"t{n}"} for n in range(17)]}


def test_bad_bodies_are_refused_and_change_nothing(beside_stack, admin) -> None:
    call(admin, EVENT, "configureMqttSubscription", subscriptionList=[DOOR])
    before = mqtt_values(beside_stack)
    refused = []
    for body in _bad_bodies():
        error = call(admin, EVENT, "configureMqttSubscription", **body).get("error", {})
        refused.append((repr(body)[:60], error.get("code"), error.get("message", "")))
    assert [r for r in refused if r[1] not in (INVALID, MISSING) or not r[2]] == [], refused
    assert refused[0][1] == MISSING and "subscriptionList is required" in refused[0][2]
    messages = [message for _, _, message in refused]
    assert any("# may only be the last level" in m for m in messages), refused
    assert any("at most 16 subscriptions" in m for m in messages), refused
    assert mqtt_values(beside_stack) == before
    assert configured(admin) == [DOOR]


def test_only_admins(herald: HeraldStack, beside_stack) -> None:
    before = mqtt_values(beside_stack)
    for role in ("operator", "viewer"):
        with herald.vapix(herald.accounts[role]) as client:
            for method, params in (("getMqttSubscriptionConfig", {}),
                                   ("configureMqttSubscription",
                                    {"subscriptionList": [DOORBELL]})):
                reply = client.post(EVENT, json={"apiVersion": "1.1", "method": method,
                                                 "params": params})
                assert reply.status_code == 403, (role, method)
    assert mqtt_values(beside_stack) == before


def test_a_subscription_made_over_vapix_makes_messages_events(broker, subscribe, beside_stack,
                                                               herald: HeraldStack,
                                                               admin) -> None:
    """A stateful subscription: the broker's kept message, then a new one, each
    the topic's state in herald-core's events service (what rules start on)."""
    door = "vapix-site/hall/door"
    other = subscribe("vapix-site/#")
    other.send(door, "open", retain=True)
    call(admin, CLIENT, "configureClient", **configuration(broker.plain_port))
    call(admin, CLIENT, "activateClient")
    call(admin, EVENT, "configureMqttSubscription", subscriptionList=[
        {"topicFilter": "vapix-site/+/door", "qos": 1, "subscriptionType": STATEFUL}])
    bus = herald.bus()

    def state_is(value: str) -> bool:
        states = bus.call(events.SERVICE, events.STATES)["states"]
        return {"topic": events.MQTT_STATE.topic, "source": door, "value": value} in states

    wait_until(lambda: state_is("open"), what="the kept message to be the topic's state")
    other.send(door, "closed")
    wait_until(lambda: state_is("closed"), what="the new message to be the topic's state")
