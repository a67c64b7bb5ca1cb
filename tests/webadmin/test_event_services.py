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
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
import redis
from axis.interfaces.event_manager import EventManager
from axis.models.event import Event, EventOperation, EventTopic
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from herald.events import contract
from tests.audio.signals import encode, sine
from tests.webadmin.digest_client import challenge_fields, digest_header
from tests.webadmin.test_axis_library import connect as connect_library

VIRTUAL_INPUT = "http://www.axis.com/vapix/http_cgi/virtualinput1"
ENV = "http://www.w3.org/2003/05/soap-envelope"
STREAM = "/vapix/ws-data-stream?sources=events"
ALL = [{"topicFilter": "//."}]
GET_EVENT_INSTANCES = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
    b'<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    b'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
    b'<GetEventInstances xmlns="http://www.axis.com/vapix/ws/event1"/></s:Body></s:Envelope>')


def soap_body(method: str, namespace: str) -> bytes:
    return (f'<env:Envelope xmlns:env="{ENV}"><env:Body><m:{method} xmlns:m="{namespace}"/>'
            f'</env:Body></env:Envelope>').encode()


def services(herald, role: str | None, body: bytes) -> httpx.Response:
    with herald.vapix(herald.accounts[role] if role else None) as client:
        return client.post("/vapix/services", content=body, headers={
            "Content-Type": "application/soap+xml"})


def virtual_input(herald, action: str, role: str = "operator", **args: Any) -> httpx.Response:
    with herald.vapix(herald.accounts[role] if role else None) as client:
        return client.get(f"/axis-cgi/virtualinput/{action}.cgi",
                          params={"schemaversion": 1, **args})


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


def fault(reply: httpx.Response) -> tuple[str, str | None, str]:
    assert reply.status_code == 400, (reply.status_code, reply.text)
    assert reply.headers["content-type"].startswith("application/soap+xml")
    found = ET.fromstring(reply.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert found is not None, reply.text
    return (found.findtext(f"{{{ENV}}}Code/{{{ENV}}}Value"),
            found.findtext(f"{{{ENV}}}Code/{{{ENV}}}Subcode/{{{ENV}}}Value"),
            found.findtext(f"{{{ENV}}}Reason/{{{ENV}}}Text"))


def states(herald) -> dict[tuple[str, Any], Any]:
    answer = herald.bus().call(contract.SERVICE, contract.STATES)
    return {(s["topic"], s["source"]): s["value"] for s in answer["states"]}


def token(herald, role: str = "viewer") -> str:
    with herald.vapix(herald.accounts[role]) as client:
        reply = client.get("/axis-cgi/wssession.cgi")
    assert reply.status_code == 200, reply.text
    return reply.text


@contextmanager
def stream(herald, query: str = STREAM, headers: dict[str, str] | None = None,
           ) -> Iterator[ClientConnection]:
    url = herald.http_url.replace("http://", "ws://") + query
    with connect(url, additional_headers=headers, open_timeout=30) as socket:
        yield socket


def refused(herald, query: str = STREAM, headers: dict[str, str] | None = None) -> httpx.Response:
    """The answer to an upgrade the device refuses, as an HTTP response."""
    with pytest.raises(InvalidStatus) as caught, stream(herald, query, headers):
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
            found = first[(topic, str(source))]
            assert list(found["message"]["data"].values()) == [str(int(value))]
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
