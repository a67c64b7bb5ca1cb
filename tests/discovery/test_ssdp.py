"""UPnP: an SSDP M-SEARCH finds the device, its description says who it is,
UPnP off stops the answers, and bad datagrams get none."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET

import httpx
import pytest

from herald.access import Level
from herald.discovery import contract, ssdp
from herald.params.groups.brand import PRODUCT_NUMBER
from tests.discovery.conftest import SERIAL, Device, listener

UPNP = "{urn:schemas-upnp-org:device-1-0}"


def search(target: str, mx: int = 1) -> bytes:
    return (f"M-SEARCH * HTTP/1.1\r\nHOST: {ssdp.GROUP}:{ssdp.PORT}\r\n"
            f'MAN: "ssdp:discover"\r\nMX: {mx}\r\nST: {target}\r\n\r\n').encode()


def fields(lines: list[str]) -> dict[str, str]:
    split = (line.partition(":") for line in lines)
    return {name.strip().upper(): value.strip() for name, _, value in split if name}


def headers(answer: bytes) -> dict[str, str]:
    lines = answer.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    return fields(lines[1:])


def ours(asker: socket.socket) -> dict[str, str]:
    """The next answer from this device (other Herald stacks on the host may answer too)."""
    while True:
        answer, _ = asker.recvfrom(4096)
        if SERIAL.lower() in answer.decode().lower():
            return headers(answer)


def test_msearch_finds_the_device_and_its_description(device: Device, asker: socket.socket):
    asker.sendto(search("ssdp:all"), (ssdp.GROUP, ssdp.PORT))
    answer = ours(asker)
    assert answer["ST"] == "upnp:rootdevice"
    assert answer["LOCATION"].startswith(f"http://{device.address}:")
    description = ET.fromstring(httpx.get(answer["LOCATION"], timeout=10).content)
    told = description.find(UPNP + "device")
    found = {child.tag.removeprefix(UPNP): child.text for child in told}
    assert found["manufacturer"] == "AXIS"  # what the VMS and Home Assistant match
    assert found["serialNumber"] == SERIAL
    assert found["deviceType"] == ssdp.DEVICE_TYPE
    assert found["friendlyName"] == f"Herald {PRODUCT_NUMBER} - {SERIAL}"  # the default
    assert found["presentationURL"].startswith(f"http://{device.address}:")
    assert answer["USN"] == f"{found['UDN']}::upnp:rootdevice"

    # The device type's search is answered with that type; a renamed device is told at once.
    device.params.update({contract.UPNP_NAME: "Lobby speaker <east>"}, Level.ADMIN)
    asker.sendto(search(ssdp.DEVICE_TYPE), (ssdp.GROUP, ssdp.PORT))
    answer = ours(asker)
    assert answer["ST"] == ssdp.DEVICE_TYPE
    description = ET.fromstring(httpx.get(answer["LOCATION"], timeout=10).content)
    assert description.findtext(f"{UPNP}device/{UPNP}friendlyName") == "Lobby speaker <east>"


def notified(others: socket.socket, kind: str) -> dict[str, str]:
    """The next NOTIFY of `kind` this device sends to the group."""
    while True:
        data, _ = others.recvfrom(4096)
        text = data.decode(errors="replace")
        if text.startswith("NOTIFY") and SERIAL.lower() in text.lower() and kind in text:
            return fields(text.split("\r\n")[1:])


def test_upnp_off_says_byebye_and_stops_answers_on_says_alive(device: Device,
                                                              asker: socket.socket):
    with listener(ssdp.GROUP, ssdp.PORT, device.address) as others:
        device.switch(contract.UPNP_ENABLED, "no", upnp=False)
        assert notified(others, ssdp.BYEBYE)["NTS"] == ssdp.BYEBYE
        asker.settimeout(1.5)
        asker.sendto(search("ssdp:all"), (ssdp.GROUP, ssdp.PORT))
        with pytest.raises(TimeoutError):
            ours(asker)
        device.switch(contract.UPNP_ENABLED, "yes", upnp=True)
        alive = notified(others, ssdp.ALIVE)
        assert alive["LOCATION"].startswith(f"http://{device.address}:")
    asker.settimeout(5)
    asker.sendto(search("upnp:rootdevice"), (ssdp.GROUP, ssdp.PORT))
    assert ours(asker)["ST"] == "upnp:rootdevice"


HOSTILE = [
    b"\xff\xfe" * 300,  # not text
    search("ssdp:all").replace(b'"ssdp:discover"', b'"ssdp:alive"'),  # not a search
    b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\n\r\n",
    search("ssdp:all") + b"X-PAD: " + b"A" * 4000 + b"\r\n\r\n",  # oversize
    b"M-SEARCH * HTTP/1.1\r\n" + b"X: y\r\n" * 100  # too many headers
    + b'MAN: "ssdp:discover"\r\nST: ssdp:all\r\n\r\n',
    search("urn:schemas-upnp-org:device:MediaRenderer:1"),  # not this device
    b"",
]


def test_bad_datagrams_get_no_answer_and_the_next_search_does(device: Device,
                                                              asker: socket.socket):
    """The responder answers in order: the first answer is the valid search's."""
    for datagram in HOSTILE:
        asker.sendto(datagram, (ssdp.GROUP, ssdp.PORT))
    asker.sendto(search(ssdp.DEVICE_TYPE), (ssdp.GROUP, ssdp.PORT))
    assert ours(asker)["ST"] == ssdp.DEVICE_TYPE
    assert device.process.poll() is None
    assert "Traceback" not in device.log.read_text()  # not even one handled


def test_one_small_answer_per_search_and_a_bounded_rate(device: Device, asker: socket.socket):
    """No amplification: ssdp:all gets one answer, not one per type, and a
    flood gets at most the budget's answers a second."""
    request = search("ssdp:all")
    for _ in range(60):
        asker.sendto(request, (ssdp.GROUP, ssdp.PORT))
    answers = []
    asker.settimeout(1.5)
    try:
        while True:
            answer, _ = asker.recvfrom(4096)
            if SERIAL.lower() in answer.decode().lower():
                answers.append(answer)
    except TimeoutError:
        pass
    assert 0 < len(answers) <= 2 * 20  # the budget's window may turn once
    assert max(len(a) for a in answers) < 2 * len(request) + 200
