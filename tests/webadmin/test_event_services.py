"""VAPIX events on the whole device (herald-web and herald-core): virtual
inputs, the event service at /vapix/services and the event stream over
WebSocket, driven as the `axis` library and Home Assistant drive an AXIS device.

The `axis` library in this venv (v60, for Python 3.11) has no websocket
transport yet (v68+, Python 3.14): it lists the event instances and fetches
the stream's token here, and the stream itself is driven by a raw websocket
client that sends what the library sends; its notifications are read into
the library's events as the library's websocket transport reads them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree import ElementTree as ET

import httpx
import pytest
import redis
from axis.interfaces.event_manager import EventManager
from axis.models.event import Event, EventOperation, EventTopic
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from herald.events import contract
from tests.audio.signals import encode, sine
from tests.webadmin.axis_client import connect as connect_library
from tests.webadmin.digest_client import challenge_fields, digest_header
from tests.webadmin.event_soap import (
    ENV,
    GET_EVENT_INSTANCES,
    fault,
    services,
    states,
    virtual_input,
)
from tests.webadmin.stack import login

VIRTUAL_INPUT = "http://www.axis.com/vapix/http_cgi/virtualinput1"
STREAM = "/vapix/ws-data-stream?sources=events"
ALL = [{"topicFilter": "//."}]
SOUND = [{"topicFilter": "onvif:AudioSource/axis:TriggerLevel"}]  # one instance: one state


def soap_body(method: str, namespace: str = "") -> bytes:
    element = f'<m:{method} xmlns:m="{namespace}"/>' if namespace else f"<{method}/>"
    return f'<env:Envelope xmlns:env="{ENV}"><env:Body>{element}</env:Body></env:Envelope>'.encode()






def state_changed(reply: httpx.Response, action: str) -> bool:
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(reply.content)
    assert root.tag == f"{{{VIRTUAL_INPUT}}}VirtualInputResponse", reply.text
    changed = root.find(f"{{{VIRTUAL_INPUT}}}Success/{{{VIRTUAL_INPUT}}}{action}Success/"
                        f"{{{VIRTUAL_INPUT}}}StateChanged")
    assert changed is not None, reply.text
    return {"true": True, "false": False}[changed.text]


def general_error(reply: httpx.Response) -> tuple[int, str]:
    assert reply.status_code == 200, reply.text  # VAPIX: errors travel in the XML
    error = ET.fromstring(reply.content).find(
        f"{{{VIRTUAL_INPUT}}}Error/{{{VIRTUAL_INPUT}}}GeneralError")
    assert error is not None, reply.text
    return (int(error.findtext(f"{{{VIRTUAL_INPUT}}}ErrorCode")),
            error.findtext(f"{{{VIRTUAL_INPUT}}}ErrorDescription"))






def token(herald, role: str = "viewer") -> str:
    with herald.vapix(herald.accounts[role]) as client:
        reply = client.get("/axis-cgi/wssession.cgi")
    assert reply.status_code == 200, reply.text
    return reply.text


@contextmanager
def stream(herald, query: str = STREAM, headers: dict[str, str] | None = None,
           secure: bool = False) -> Iterator[ClientConnection]:
    if secure:
        url = herald.https_url.replace("https://", "wss://") + query
        tls = ssl.create_default_context()
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE  # the device's own certificate
    else:
        url, tls = herald.http_url.replace("http://", "ws://") + query, None
    with connect(url, additional_headers=headers, open_timeout=30, ssl=tls) as socket:
        yield socket


def refused(herald, query: str = STREAM, headers: dict[str, str] | None = None,
            secure: bool = False) -> httpx.Response:
    """The answer to an upgrade the device refuses, as an HTTP response."""
    with pytest.raises(InvalidStatus) as caught, stream(herald, query, headers, secure):
        pass
    response = caught.value.response
    return httpx.Response(response.status_code, headers=list(response.headers.raw_items()),
                          content=response.body)


def configure(socket: ClientConnection, filters: list[dict], context: str = "axis-py") -> dict:
    socket.send(json.dumps({"apiVersion": "1.0", "context": context,
                            "method": "events:configure", "params": {"eventFilterList": filters}}))
    return json.loads(socket.recv(timeout=10))


def notification(socket: ClientConnection, topic: str, timeout: float = 10, **items: str) -> dict:
    """The next notification of `topic` whose source and data hold `items`."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        assert message["method"] == "events:notify", message
        found = message["params"]["notification"]
        values = {**found["message"]["source"], **found["message"]["data"]}
        if found["topic"] == topic and items.items() <= values.items():
            return found


def library_event(found: dict) -> dict[str, str]:
    """A notification as the axis library's websocket transport (v68+) hands it
    to its EventManager: the first source item is the id, the first data item
    the state ("active" wins), values as text."""
    source, source_idx = next(iter(found["message"]["source"].items()), ("", ""))
    data = found["message"]["data"]
    kind, value = ("active", data["active"]) if "active" in data else next(iter(data.items()))
    return {"topic": found["topic"], "source": source, "source_idx": str(source_idx),
            "type": kind, "value": str(value)}


# -- the axis library and Home Assistant --------------------------------------------


def test_the_axis_library_lists_the_event_instances(herald):
    async def instances(role: str) -> tuple[set[str], dict]:
        device = await connect_library(herald.http_url, herald.accounts[role])
        await device.vapix.initialize_event_instances()
        return set(device.vapix.api_discovery), dict(device.vapix.event_instances)

    listed, found = asyncio.run(instances("admin"))
    assert "event-streaming-over-websocket" in listed
    assert set(found) == set(contract.TYPES)
    virtual = found["tns1:Device/tnsaxis:IO/VirtualInput"]
    assert (virtual.name, virtual.stateful, virtual.topic_filter) == (
        "Virtual input", True, "onvif:Device/axis:IO/VirtualInput")
    assert virtual.source["@Name"] == "port" and virtual.source["@Type"] == "xsd:int"
    assert virtual.source["Value"] == [str(p) for p in contract.VIRTUAL_INPUTS]
    assert virtual.data == {"@Type": "xsd:boolean", "@Name": "active",
                            "@isPropertyState": "true", "Value": ["0", "1"]}
    sound = found["tns1:AudioSource/tnsaxis:TriggerLevel"]
    assert (sound.source["@Name"], sound.data["@Name"]) == ("channel", "triggered")
    clip = found["tnsaxis:MediaClip/tnsaxis:Playing"]
    assert (clip.stateful, clip.data["@Name"]) == (True, "Playing")
    pulse = found["tns1:UserAlarm/tnsaxis:Recurring/Pulse"]
    assert (pulse.stateful, pulse.stateless) == (False, True)
    assert "@isPropertyState" not in pulse.data
    # A viewer reads them too (Home Assistant may be given a viewer account).
    assert set(asyncio.run(instances("viewer"))[1]) == set(contract.TYPES)


def test_home_assistant_gets_the_states_then_the_events(herald):
    """As HA's Axis integration: a token through the library's session, the
    stream configured for everything, the current states (from which HA makes
    its entities) and then the changes: a virtual input activated through
    activate.cgi, and a clip played with mediaclip.cgi."""
    async def library_token() -> str:
        device = await connect_library(herald.http_url, herald.accounts["admin"])
        return (await device.vapix.request("get", "/axis-cgi/wssession.cgi")).decode().strip()

    manager, initialized = EventManager(), []
    manager.subscribe(initialized.append, operation_filter=EventOperation.INITIALIZED)
    now = states(herald)
    with stream(herald, f"{STREAM}&wssession={asyncio.run(library_token())}") as socket:
        assert configure(socket, ALL) == {"apiVersion": "1.0", "context": "axis-py",
                                          "method": "events:configure", "data": {}}
        first = {}
        while len(first) < len(now):  # every stateful instance, each once
            message = json.loads(socket.recv(timeout=10))
            found = message["params"]["notification"]
            event = library_event(found)
            first[(found["topic"], event["source_idx"])] = found
            manager.handler(event)
        for (topic, source), value in now.items():
            found = first[(topic, "" if source is None else str(source))]  # System ready: none
            # A switch as "1" or "0"; other states (an MQTT topic's message) as they are.
            told = str(int(value)) if isinstance(value, bool) else str(value)
            assert list(found["message"]["data"].values()) == [told]
            assert found["message"]["key"] == {}
            assert abs(found["timestamp"] / 1000 - time.time()) < 30
        sound = next(e for e in initialized if e.topic_base is EventTopic.SOUND_TRIGGER_LEVEL)
        assert (sound.id, sound.is_tripped) == ("1", False)  # HA's "Sound trigger state"

        assert state_changed(virtual_input(herald, "activate", port=3), "Activate")
        try:
            found = notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", port="3")
            assert found["message"] == {"source": {"port": "3"}, "key": {},
                                        "data": {"active": "1"}}
            assert abs(found["timestamp"] / 1000 - time.time()) < 5
            event = Event.decode(library_event(found))
            assert (event.id, event.state, event.is_tripped) == ("3", "1", True)
        finally:
            virtual_input(herald, "deactivate", port=3)
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput",
                            port="3")["message"]["data"] == {"active": "0"}

        with herald.vapix(herald.accounts["operator"]) as operator:
            uploaded = operator.post("/axis-cgi/mediaclip.cgi?action=upload&media=audio",
                                     files={"file": ("chime.wav", encode(sine(660, 0.3, 16000),
                                                     16000, "wav"), "audio/basic")})
            clip = int(uploaded.text.split()[1].removeprefix("Uploaded="))
            try:
                assert operator.get("/axis-cgi/mediaclip.cgi",
                                    params={"action": "play", "clip": clip}).is_success
                playing = "tnsaxis:MediaClip/tnsaxis:Playing"
                found = notification(socket, playing, Playing="1")
                assert found["message"]["source"] == {"AudioOutput": "0"}
                assert library_event(notification(socket, playing, Playing="0"))["value"] == "0"
            finally:
                operator.get("/axis-cgi/mediaclip.cgi", params={"action": "remove", "clip": clip})


# -- virtual inputs ------------------------------------------------------------------


def test_virtual_inputs_say_whether_their_state_changed_and_end_by_themselves(herald):
    port = "topicFilter", "onvif:Device/axis:IO/VirtualInput"
    with stream(herald, f"{STREAM}&wssession={token(herald)}") as socket:
        assert "data" in configure(socket, [{port[0]: port[1], "contentFilter":
                                             'boolean(//SimpleItem[@Name="port" and @Value="5"])'}])
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput",
                            port="5")["message"]["data"] == {"active": "0"}  # its state now
        assert state_changed(virtual_input(herald, "activate", port=5), "Activate") is True
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", active="1")
        assert state_changed(virtual_input(herald, "activate", port=5), "Activate") is False
        assert state_changed(virtual_input(herald, "deactivate", port=5), "Deactivate") is True
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", active="0")
        assert state_changed(virtual_input(herald, "deactivate", port=5), "Deactivate") is False

        # With a duration the input goes back by itself; 0: on and at once off again.
        started = time.monotonic()
        assert state_changed(virtual_input(herald, "activate", port=5, duration=1), "Activate")
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", active="1")
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", active="0")
        assert time.monotonic() - started >= 1
        assert state_changed(virtual_input(herald, "activate", port=5, duration=0), "Activate")
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", active="1")
        assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", active="0")
    with herald.vapix(herald.accounts["operator"]) as operator:
        versions = ET.fromstring(operator.get("/axis-cgi/virtualinput/getschemaversions.cgi")
                                 .content)
    assert versions.findtext(f".//{{{VIRTUAL_INPUT}}}MajorVersion") == "1"


@pytest.mark.parametrize(("args", "code"), [
    ({"schemaversion": ""}, 10), ({"schemaversion": 2}, 30), ({"schemaversion": "1.0"}, 30),
    ({}, 10), ({"port": 0}, 20), ({"port": 33}, 20), ({"port": "x"}, 20), ({"port": "٣"}, 20),
    ({"port": 6, "duration": "-1"}, 50), ({"port": 6, "duration": "1.5"}, 50),
    ({"port": 6, "duration": 100_000}, 50),
])
def test_bad_virtual_input_requests_say_what_to_fix_and_change_nothing(herald, args, code):
    before = states(herald)
    error, description = general_error(virtual_input(herald, "activate", **args))
    assert error == code and description
    assert states(herald) == before


def test_virtual_inputs_are_for_operators(herald):
    with herald.vapix() as anonymous:
        challenge_fields(anonymous.get("/axis-cgi/virtualinput/activate.cgi?schemaversion=1&port=1"))
    assert virtual_input(herald, "activate", "viewer", port=1).status_code == 403
    assert virtual_input(herald, "deactivate", "viewer", port=1).status_code == 403
    assert not state_changed(virtual_input(herald, "deactivate", "admin", port=1), "Deactivate")


# -- the event service over SOAP -----------------------------------------------------

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                             else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">'
                  b'<env:Body><GetEventInstances xmlns="http://www.axis.com/vapix/ws/event1">'
                  b'&lol9;</GetEventInstances></env:Body></env:Envelope>')
EXTERNAL_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                   b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">'
                   b'<env:Body>&e;</env:Body></env:Envelope>')


@pytest.mark.parametrize(("body", "code", "subcode"), [
    (b"", "env:Sender", "ter:WellFormed"),
    (b"<env:Envelope", "env:Sender", "ter:WellFormed"),
    (b"\xff\xfe\x00garbage\x00", "env:Sender", "ter:WellFormed"),
    (b"<a>&undefined;</a>", "env:Sender", "ter:WellFormed"),
    (BILLION_LAUGHS, "env:Sender", "ter:WellFormed"),
    (EXTERNAL_ENTITY, "env:Sender", "ter:WellFormed"),
    (GET_EVENT_INSTANCES.replace(b"2003/05/soap-envelope", b"schemas.xmlsoap.org/soap/envelope/"),
     "env:VersionMismatch", None),
    (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"/>', "env:Sender",
     "ter:Tag"),
    (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/>'
     b"</env:Envelope>", "env:Sender", "ter:Tag"),
    (b"<a>" * 20_000 + b"</a>" * 20_000, "env:VersionMismatch", None),
    (GET_EVENT_INSTANCES + b" " * 300_000, "env:Sender", None),
    (soap_body("ChangeVirtualInputState", "http://www.axis.com/vapix/ws/event1"),
     "env:Receiver", "ter:ActionNotSupported"),
    (soap_body("GetActionRuleStates", "http://www.axis.com/vapix/ws/action1"), "env:Receiver",
     "ter:ActionNotSupported"),
    (soap_body("AddActionRule", "http://www.axis.com/vapix/ws/action1"), "env:Sender",
     "ter:InvalidArgs"),
    (soap_body("GetDeviceInformation", "http://www.onvif.org/ver10/device/wsdl"), "env:Sender",
     "ter:UnknownAction"),
    (soap_body("Anything"), "env:Sender", "ter:UnknownAction"),
])
def test_soap_requests_it_cannot_serve_get_a_fault_and_change_nothing(herald, body, code,
                                                                       subcode):
    before = states(herald)
    got_code, got_subcode, reason = fault(services(herald, "admin", body))
    assert (got_code, got_subcode) == (code, subcode) and reason
    assert states(herald) == before
    assert services(herald, "viewer", GET_EVENT_INSTANCES).status_code == 200


def test_soap_bodies_past_what_the_device_reads_are_refused_before_reading(herald):
    with herald.vapix(herald.accounts["admin"]) as admin:
        reply = admin.post("/vapix/services", content=b"<a>" * 2_000_000)
    assert reply.status_code == 413


def test_the_event_service_reads_for_viewers_and_changes_for_administrators(herald):
    challenge_fields(services(herald, None, GET_EVENT_INSTANCES))
    reply = services(herald, "viewer", GET_EVENT_INSTANCES)
    assert reply.headers["content-type"].startswith("application/soap+xml")
    assert b"<wstop:TopicSet>" in reply.content and b'wstop:topic="true"' in reply.content
    add_rule = soap_body("AddActionRule", "http://www.axis.com/vapix/ws/action1")
    assert services(herald, "viewer", add_rule).status_code == 403
    assert services(herald, "operator", add_rule).status_code == 403
    assert fault(services(herald, "admin", add_rule))[1] == "ter:InvalidArgs"  # it is empty
    with herald.vapix(herald.accounts["viewer"]) as viewer:
        assert viewer.get("/vapix/services").status_code == 405


# -- the stream: authentication and configuration -------------------------------------------


def test_the_stream_takes_digest_a_token_once_or_a_session(herald):
    viewer = herald.accounts["viewer"]
    challenge = challenge_fields(refused(herald))
    with stream(herald, headers={"Authorization": digest_header(viewer, challenge, STREAM)}) \
            as socket:
        assert "data" in configure(socket, SOUND)
    wrong = digest_header(viewer, challenge_fields(refused(herald)), STREAM, password="nope")
    assert refused(herald, headers={"Authorization": wrong}).status_code == 401

    issued = token(herald)
    ttl = redis.Redis.from_url(herald.redis_url).ttl(f"herald:wssession:{issued}")
    assert 0 < ttl <= 15
    with stream(herald, f"{STREAM}&wssession={issued}") as socket:
        assert "data" in configure(socket, SOUND)
    challenge_fields(refused(herald, f"{STREAM}&wssession={issued}"))  # used: gone
    challenge_fields(refused(herald, f"{STREAM}&wssession=0123456789"))
    with herald.vapix() as anonymous:
        challenge_fields(anonymous.get("/axis-cgi/wssession.cgi"))
    assert refused(herald, f"/vapix/ws-data-stream?sources=video&wssession={token(herald)}"
                   ).status_code == 400

    # The library's fallback without a token: Basic, which only HTTPS takes.
    basic = {"Authorization": "Basic " + base64.b64encode(
        f"{viewer.name}:{viewer.password}".encode()).decode()}
    with stream(herald, headers=basic, secure=True) as socket:
        assert "data" in configure(socket, SOUND)
    challenge_fields(refused(herald, headers=basic))
    # A page of the device's own, with its session.
    with herald.browser() as browser:
        login(browser, viewer)
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    with stream(herald, headers={"Cookie": cookie}) as socket:
        assert "data" in configure(socket, SOUND)


@pytest.mark.parametrize(("request_text", "code"), [
    ("{not json", 2101),
    ("[1, 2]", 2101),
    ('{"apiVersion": "1.0", "context": "c"}', 2103),
    ('{"apiVersion": "2.0", "context": "c", "method": "events:configure"}', 2100),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:notify", "params": {}}', 2102),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:configure"}', 2103),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:configure", "params": {}}', 2103),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:configure", '
     '"params": {"eventFilterList": {"topicFilter": "//."}}}', 2104),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:configure", '
     '"params": {"eventFilterList": [{"topicFilter": "//."}, {"topicFilter": "foo:Bar"}]}}', 2104),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:configure", '
     '"params": {"eventFilterList": [{"contentFilter": "boolean(//SimpleItem[@Name=1])"}]}}',
     2104),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:configure", '
     '"params": {"eventFilterList": [{}]}}', 2104),
    ('{"apiVersion": "1.0", "context": "c", "method": "events:configure", '
     f'"params": {{"eventFilterList": [{{"topicFilter": "{"a/" * 600}a"}}]}}}}', 2104),
    ("[" * 100_000, 2107),
    (b"\x00binary", 2101),
])
def test_a_bad_configure_gets_an_error_and_the_last_filters_stay(herald, request_text, code):
    with stream(herald, f"{STREAM}&wssession={token(herald)}") as socket:
        assert "data" in configure(socket, [{"topicFilter": "tns1:Device/tnsaxis:IO/VirtualInput",
                                             "contentFilter": 'boolean(//SimpleItem[@Value="7"])'}])
        notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", port="7")  # its state now
        socket.send(request_text)
        reply = json.loads(socket.recv(timeout=10))
        assert reply["error"]["code"] == code and reply["error"]["message"], reply
        assert reply.get("context", "c") == "c"
        assert state_changed(virtual_input(herald, "activate", port=7), "Activate")
        try:
            assert notification(socket, "tns1:Device/tnsaxis:IO/VirtualInput", port="7",
                                active="1")
        finally:
            virtual_input(herald, "deactivate", port=7)


def test_each_filter_is_a_subscription_of_its_own(herald):
    """An event fitting two filters comes twice (AXIS: "use one filter with |");
    the namespaces may be written as events write them or as filters do."""
    with stream(herald, f"{STREAM}&wssession={token(herald)}") as socket:
        assert "data" in configure(socket, [
            {"topicFilter": "tns1:Device/tnsaxis:IO//."},
            {"topicFilter": "onvif:AudioSource/axis:TriggerLevel|onvif:Device/axis:IO/VirtualPort"},
        ])
        seen = [json.loads(socket.recv(timeout=10))["params"]["notification"]["topic"]
                for _ in range(len(contract.VIRTUAL_INPUTS) + 4)]
        assert seen.count("tns1:Device/tnsaxis:IO/Port") == 1  # the control button
        assert seen.count("tns1:Device/tnsaxis:IO/VirtualPort") == 2
        assert seen.count("tns1:AudioSource/tnsaxis:TriggerLevel") == 1
        assert seen.count("tns1:Device/tnsaxis:IO/VirtualInput") == len(contract.VIRTUAL_INPUTS)
        assert configure(socket, [])["data"] == {}  # subscribed to nothing now
        assert state_changed(virtual_input(herald, "activate", port=8), "Activate")
        try:
            with pytest.raises(TimeoutError):
                socket.recv(timeout=1)
        finally:
            virtual_input(herald, "deactivate", port=8)


def test_a_stream_that_loses_the_bus_closes_so_that_its_client_reconnects(herald):
    """Redis dropping the stream's subscription (a restart, an overflowing
    client) must not leave the client on a stream that stays quiet for good."""
    server = redis.Redis.from_url(herald.redis_url)
    before = {c["id"] for c in server.client_list(_type="pubsub")}
    with stream(herald, f"{STREAM}&wssession={token(herald)}") as socket:
        assert "data" in configure(socket, SOUND)
        notification(socket, "tns1:AudioSource/tnsaxis:TriggerLevel")
        [ours] = {c["id"] for c in server.client_list(_type="pubsub")} - before
        server.client_kill_filter(_id=ours)
        with pytest.raises(ConnectionClosedError) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd.code == 1011
