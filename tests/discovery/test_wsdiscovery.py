"""WS-Discovery: an independent client (the wsdiscovery package) finds the
device as ONVIF clients probe for it; Resolve, Hello and Bye; switching it
off stops the answers; hostile datagrams get none."""

from __future__ import annotations

import socket
import uuid
import xml.etree.ElementTree as ET

import pytest
from wsdiscovery.discovery import ThreadedWSDiscovery
from wsdiscovery.qname import QName
from wsdiscovery.scope import Scope

from herald.discovery import contract, wsdiscovery
from herald.params.groups.brand import PRODUCT_NUMBER
from tests.conftest import wait_until
from tests.discovery.conftest import SERIAL, Device, listener

ENDPOINT_END = SERIAL.lower()
WSA = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
WSD = "{http://schemas.xmlsoap.org/ws/2005/04/discovery}"


def found_by_client(types: list[QName] | None = None, scopes: list[Scope] | None = None):
    client = ThreadedWSDiscovery()
    client.start()
    try:
        return [s for s in client.searchServices(types=types, scopes=scopes, timeout=1)
                if s.getEPR().endswith(ENDPOINT_END)]
    finally:
        client.stop()


def test_the_wsdiscovery_client_finds_the_device(device: Device):
    services = wait_until(lambda: found_by_client(
        types=[QName(wsdiscovery.DN, "NetworkVideoTransmitter")]),
        what="the client to find the device")
    (service,) = services
    assert service.getEPR().startswith("urn:uuid:")
    assert service.getXAddrs() == [f"http://{device.address}/onvif/device_service"]
    assert {(t.getNamespace(), t.getLocalname()) for t in service.getTypes()} == set(
        wsdiscovery.TYPES)
    scopes = {str(s) for s in service.getScopes()}
    assert f"onvif://www.onvif.org/hardware/{PRODUCT_NUMBER}" in scopes


def probe(message_id: str, types: str = "dn:NetworkVideoTransmitter",
          scopes: str = "") -> bytes:
    scope = f"<d:Scopes>{scopes}</d:Scopes>" if scopes else ""
    return (f'<?xml version="1.0"?><s:Envelope xmlns:s="{wsdiscovery.SOAP}" '
            f'xmlns:a="{wsdiscovery.WSA}" xmlns:d="{wsdiscovery.WSD}" '
            f'xmlns:dn="{wsdiscovery.DN}"><s:Header>'
            f"<a:Action>{wsdiscovery.WSD}/Probe</a:Action><a:MessageID>{message_id}</a:MessageID>"
            f"<a:To>{wsdiscovery.TO_ALL}</a:To></s:Header><s:Body><d:Probe>"
            f"<d:Types>{types}</d:Types>{scope}</d:Probe></s:Body></s:Envelope>").encode()


def resolve(message_id: str, address: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{wsdiscovery.SOAP}" xmlns:a="{wsdiscovery.WSA}" '
            f'xmlns:d="{wsdiscovery.WSD}"><s:Header>'
            f"<a:Action>{wsdiscovery.WSD}/Resolve</a:Action><a:MessageID>{message_id}"
            "</a:MessageID></s:Header><s:Body><d:Resolve><a:EndpointReference>"
            f"<a:Address>{address}</a:Address></a:EndpointReference></d:Resolve></s:Body>"
            "</s:Envelope>").encode()


def next_answer(sock: socket.socket) -> ET.Element:
    """The next message of this device (other Herald stacks on the host may speak too)."""
    while True:
        data, _ = sock.recvfrom(16384)
        if ENDPOINT_END.encode() in data:
            return ET.fromstring(data)


def relates_to(message: ET.Element) -> str:
    return message.findtext(f".//{WSA}RelatesTo") or ""


def new_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def test_probe_filters_and_resolve(device: Device, asker: socket.socket):
    group = (wsdiscovery.GROUP, wsdiscovery.PORT)
    unmatched, matched = new_id(), new_id()
    asker.sendto(probe(unmatched, scopes="onvif://www.onvif.org/hardware/OTHER"), group)
    asker.sendto(probe(unmatched, types="dn:SomethingElse"), group)
    asker.sendto(probe(matched, scopes="onvif://www.onvif.org/hardware"), group)
    answer = next_answer(asker)
    assert relates_to(answer) == matched
    endpoint = answer.findtext(f".//{WSD}ProbeMatch/{WSA}EndpointReference/{WSA}Address")
    assert endpoint.endswith(ENDPOINT_END)

    asked = new_id()
    asker.sendto(resolve(asked, endpoint), group)
    answer = next_answer(asker)
    assert relates_to(answer) == asked
    assert answer.findtext(f".//{WSD}ResolveMatch/{WSD}XAddrs") == (
        f"http://{device.address}/onvif/device_service")


def test_off_says_bye_and_stops_answers_on_says_hello(device: Device, asker: socket.socket):
    group = (wsdiscovery.GROUP, wsdiscovery.PORT)
    others = listener(wsdiscovery.GROUP, wsdiscovery.PORT, device.address)
    with others:
        device.switch(contract.WSD_ENABLED, "no", ws_discovery=False)
        bye = next_answer(others)
        assert bye.find(f".//{WSD}Bye") is not None
        asker.settimeout(1.5)
        asker.sendto(probe(new_id()), group)
        with pytest.raises(TimeoutError):
            next_answer(asker)
        device.switch(contract.WSD_ENABLED, "yes", ws_discovery=True)
        hello = next_answer(others)
        while hello.find(f".//{WSD}Hello") is None:  # our own probe came round too
            hello = next_answer(others)
        assert hello.findtext(f".//{WSD}Hello/{WSD}XAddrs") == (
            f"http://{device.address}/onvif/device_service")
    asked = new_id()
    asker.settimeout(5)
    asker.sendto(probe(asked), group)
    assert relates_to(next_answer(asker)) == asked


# Entity expansion: each entity ten of the one before, h a hundred million a's.
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b"<!ENTITY %s \"%s\">" % (name.encode(), f"&{before};".encode() * 10)
                     for before, name in zip("abcdefg", "bcdefgh", strict=True))
          + b"]>")


def test_hostile_datagrams_get_no_answer(device: Device, asker: socket.socket):
    group = (wsdiscovery.GROUP, wsdiscovery.PORT)
    valid = probe(new_id())
    hostile = [
        LAUGHS + valid.split(b"?>", 1)[1].replace(b"dn:NetworkVideoTransmitter", b"&h;"),
        valid + b"<!--" + b"x" * 9000 + b"-->",  # oversize
        b"\x00\xff" * 50,
        valid.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="x-bogus"?>'),
        valid[:200],  # cut short
        valid.replace(b"/Probe</a:Action>", b"/Hello</a:Action>"),
        probe(""),  # no message id
    ]
    for datagram in hostile:
        asker.sendto(datagram, group)
    asked = new_id()
    asker.sendto(probe(asked), group)
    assert relates_to(next_answer(asker)) == asked
    assert device.process.poll() is None
    assert "Traceback" not in device.log.read_text()  # not even one handled
