"""VAPIX /axis-cgi/mqtt/client.cgi and event.cgi as AXIS documents them:
configure, activate and read the client, configure and read the event
publication; admins only; every bad body gets a clear error and changes
nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from axis.interfaces.mqtt import mqtt_json_to_event

from tests.conftest import wait_until
from tests.mqtt.broker import HOST
from tests.mqtt.device import mqtt_values
from tests.mqtt.vapix import CLIENT, EVENT, INVALID, call, configuration
from tests.webadmin.stack import HeraldStack


def test_configure_activate_and_read_the_client(broker, subscribe, beside_stack, admin) -> None:
    watcher = subscribe("site/#")
    assert call(admin, CLIENT, "configureClient", **configuration(broker.plain_port))["data"] == {}
    call(admin, CLIENT, "activateClient")
    assert watcher.next("site/speaker/event/connection")  # the default connect message
    status = wait_until(lambda: (d := call(admin, CLIENT, "getClientStatus")["data"])[
        "status"]["connectionStatus"] == "connected" and d, what="the client to connect")
    assert status["status"]["state"] == "active"
    config = status["config"]
    assert config["server"] == {"host": HOST, "protocol": "tcp", "port": broker.plain_port}
    assert config["clientId"] == "vapix-speaker" and config["keepAliveInterval"] == 30
    assert config["lastWillTestament"] == {"useDefault": False, "topic": "site/gone",
                                           "message": "offline", "retain": True, "qos": 1}
    assert "password" not in config

    call(admin, CLIENT, "deactivateClient")
    wait_until(lambda: call(admin, CLIENT, "getClientStatus")["data"]["status"] == {
        "state": "inactive", "connectionStatus": "not connected"},
        what="the client to be off")


def test_event_publication_round_trip(beside_stack, admin) -> None:
    asked = {"topicPrefix": "custom", "customTopicPrefix": "hall", "appendEventTopic": True,
             "includeTopicNamespaces": False, "includeSerialNumberInPayload": True,
             "eventFilterList": [
                 {"topicFilter": "onvif:AudioSource/axis:TriggerLevel", "qos": 1,
                  "retain": "property"},
                 {"topicFilter": "axis:MediaClip/axis:Playing", "qos": 1, "retain": "property"}]}
    assert call(admin, EVENT, "configureEventPublication", **asked)["data"] == {}
    got = call(admin, EVENT, "getEventPublicationConfig")["data"]["eventPublicationConfig"]
    assert got == asked
    call(admin, EVENT, "configureEventPublication", eventFilterList=[])
    got = call(admin, EVENT, "getEventPublicationConfig")["data"]["eventPublicationConfig"]
    assert got["eventFilterList"] == [] and got["customTopicPrefix"] == "hall"


def test_only_admins(herald: HeraldStack, beside_stack) -> None:
    for role in ("operator", "viewer"):
        with herald.vapix(herald.accounts[role]) as client:
            for where, method in ((CLIENT, "getClientStatus"), (CLIENT, "activateClient"),
                                  (EVENT, "getEventPublicationConfig")):
                reply = client.post(where, json={"apiVersion": "1.0", "method": method})
                assert reply.status_code == 403, (role, method)
    with herald.vapix() as anonymous:
        assert anonymous.post(CLIENT, json={"apiVersion": "1.0",
                                            "method": "getClientStatus"}).status_code == 401


def _bad_values() -> Iterator[tuple[str, dict[str, Any]]]:
    """configureClient bodies, each with one field wrong (of type or of range)."""
    good = configuration(1883)
    wrong: dict[tuple[str, ...], list[Any]] = {
        ("server",): ["host", 1, []],
        ("server", "host"): [1, "not a host!"],
        ("server", "protocol"): ["ftp", 1, True],
        ("server", "port"): [70000, -1, "1883", 1.5, True],
        ("username",): [1, ["x"], "é" * 3, "x" * 200],
        ("password",): [1, {"p": 1}, "x" * 200, "tab\there"],
        ("clientId",): [5, "x" * 200],
        ("keepAliveInterval",): [0, "60", 1e9, False],
        ("cleanSession",): ["yes", 1],
        ("deviceTopicPrefix",): [7, "x" * 300],
        ("ssl",): [[], "on"],
        ("lastWillTestament",): [[], 3],
        ("lastWillTestament", "qos"): [3, -1, "1"],
        ("lastWillTestament", "retain"): ["no", 0],
        ("lastWillTestament", "topic"): [["a"], "x" * 300],
        ("connectMessage", "message"): [{"a": 1}],
        ("autoReconnect",): ["yes"], ("connectTimeout",): ["60"],
        ("server", "alpnProtocol"): ["mqtt", 1],
        ("lastWillTestament", "message"): ["x" * 2000],
    }
    for path, values in wrong.items():
        for value in values:
            if value is None or (value == 0 and path == ("server", "host")):
                continue
            body = copy.deepcopy(good)
            place = body
            for key in path[:-1]:
                place = place[key]
            place[path[-1]] = value
            yield ".".join(path) + f"={value!r:.20}", body


def _bad_publications() -> Iterator[dict[str, Any]]:
    yield {"topicPrefix": "elsewhere"}
    yield {"topicPrefix": 1}
    yield {"appendEventTopic": "yes"}
    yield {"eventFilterList": "onvif:Device"}
    yield {"eventFilterList": [1]}
    yield {"eventFilterList": [{"topicFilter": ""}]}
    yield {"eventFilterList": [{"topicFilter": "a,b"}]}
    yield {"eventFilterList": [{"topicFilter": "a", "qos": 5}]}
    yield {"eventFilterList": [{"topicFilter": "a", "retain": "maybe"}]}
    yield {"eventFilterList": [{"topicFilter": "a", "qos": 0}, {"topicFilter": "b", "qos": 1}]}
    yield {"eventFilterList": [{"topicFilter": "x" * 2000}]}
    yield {"eventFilterList": [{"topicFilter": f"t{n}"} for n in range(100)]}
    yield {"customTopicPrefix": ["a"], "eventFilterList": [{"topicFilter": "a"}]}


def test_bad_bodies_are_refused_and_store_nothing(beside_stack, admin) -> None:
    before = mqtt_values(beside_stack)
    refused = []
    for what, body in _bad_values():
        reply = call(admin, CLIENT, "configureClient", **body)
        refused.append((what, reply.get("error", {}).get("code")))
    for body in _bad_publications():
        reply = call(admin, EVENT, "configureEventPublication", **body)
        refused.append((repr(body)[:40], reply.get("error", {}).get("code")))
    assert [r for r in refused if r[1] != INVALID] == [], refused
    # Not JSON objects, wrong envelopes: errors in the envelope, never a 5xx.
    for raw in (b"", b"{", b"[]", b'"x"', b'{"method": 1}', b'{"apiVersion": "9.0", '
                b'"method": "configureClient"}', b'{"apiVersion": "1.0", "method": '
                b'"configureClient", "params": []}', b'{"apiVersion": "1.0", "method": "nope"}',
                b"\xff\xfe", b"[" * 5000):
        for where in (CLIENT, EVENT):
            reply = admin.post(where, content=raw, headers={"Content-Type": "application/json"})
            assert reply.status_code == 200 and "error" in reply.json(), (where, raw[:20])
    assert mqtt_values(beside_stack) == before


def test_set_up_as_home_assistant_does_then_an_event_arrives(herald: HeraldStack, broker,
                                                             subscribe, beside_stack,
                                                             admin) -> None:
    """The axis library's calls (configureClient, activateClient, then
    configureEventPublication with its default filter "//.": every event);
    a virtual input activated over VAPIX reaches the broker in a payload
    the library reads."""
    watcher = subscribe("site/speaker/event/#")
    call(admin, CLIENT, "configureClient", **configuration(broker.plain_port))
    call(admin, CLIENT, "activateClient")
    assert call(admin, EVENT, "configureEventPublication",
                eventFilterList=[{"topicFilter": "//."}]).get("error") is None
    watcher.next("site/speaker/event/connection")
    with herald.vapix(herald.accounts["operator"]) as operator:
        try:
            reply = operator.get("/axis-cgi/virtualinput/activate.cgi?schemaversion=1&port=2")
            assert reply.status_code == 200, reply.text
            message = watcher.next("site/speaker/event/Device/IO/VirtualInput")
        finally:
            operator.get("/axis-cgi/virtualinput/deactivate.cgi?schemaversion=1&port=2")
    assert mqtt_json_to_event(message.payload) == {
        "topic": "tns1:Device/tnsaxis:IO/VirtualInput", "source": "port", "source_idx": 2,
        "type": "active", "value": True}
