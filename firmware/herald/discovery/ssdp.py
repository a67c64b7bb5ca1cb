"""UPnP discovery: answers SSDP M-SEARCH requests for the device's types with
a LOCATION where its UPnP device description (urn:schemas-upnp-org:device:Basic:1,
manufacturer AXIS as the VMS and Home Assistant match) is served.

Every datagram is checked: anything but a well-formed M-SEARCH of at most
MAX_REQUEST bytes is dropped. Each request gets at most one answer, sent to
the asker alone, and all answers together are bounded (AnswerBudget)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from xml.sax.saxutils import escape

from herald.discovery.device import Advertised
from herald.discovery.multicast import Responder

GROUP, PORT = "239.255.255.250", 1900
DESCRIPTION_PATH = "/upnp/description.xml"
DEVICE_TYPE = "urn:schemas-upnp-org:device:Basic:1"
ROOT = "upnp:rootdevice"
ALIVE, BYEBYE = "ssdp:alive", "ssdp:byebye"
MAX_REQUEST = 1024  # bytes; real M-SEARCH requests are about 150
MAX_HEADERS = 16
CACHE_SECONDS = 1800


def parse_search(datagram: bytes) -> str | None:
    """The search target of a valid M-SEARCH, else None."""
    if len(datagram) > MAX_REQUEST:
        return None
    try:
        text = datagram.decode("ascii")
    except UnicodeDecodeError:
        return None
    lines = text.split("\r\n")
    if lines[0].strip().upper() != "M-SEARCH * HTTP/1.1" or len(lines) > MAX_HEADERS + 3:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().upper()] = value.strip()
    if headers.get("MAN", "").strip('"') != "ssdp:discover":
        return None
    target = headers.get("ST", "")
    return target if 0 < len(target) <= 128 and target.isprintable() else None


def matching_target(target: str, device: Advertised) -> str | None:
    """The one target the device answers a search with: for ssdp:all its root
    device (one answer, not one per type: no amplification)."""
    if target in ("ssdp:all", ROOT):
        return ROOT
    if target in (DEVICE_TYPE, "uuid:" + device.uuid):
        return target
    return None


def search_answer(target: str, device: Advertised, location: str) -> bytes:
    return ("HTTP/1.1 200 OK\r\n"
            f"CACHE-CONTROL: max-age={CACHE_SECONDS}\r\n"
            "EXT:\r\n"
            f"LOCATION: {location}\r\n"
            f"SERVER: Linux/6 UPnP/1.0 Herald/{device.firmware}\r\n"
            f"ST: {target}\r\n"
            f"USN: {unique_name(target, device)}\r\n\r\n").encode()


def unique_name(target: str, device: Advertised) -> str:
    return f"uuid:{device.uuid}" + ("" if target.startswith("uuid:") else f"::{target}")


def notify(kind: str, target: str, device: Advertised, location: str) -> bytes:
    """An advertisement to the group: ALIVE (with LOCATION) or BYEBYE."""
    alive = (f"CACHE-CONTROL: max-age={CACHE_SECONDS}\r\nLOCATION: {location}\r\n"
             f"SERVER: Linux/6 UPnP/1.0 Herald/{device.firmware}\r\n"
             if kind == ALIVE else "")
    return (f"NOTIFY * HTTP/1.1\r\nHOST: {GROUP}:{PORT}\r\n{alive}"
            f"NT: {target}\r\nNTS: {kind}\r\nUSN: {unique_name(target, device)}\r\n\r\n").encode()


def description(device: Advertised, address: str) -> bytes:
    """The UPnP device description at LOCATION."""
    fields = {
        "deviceType": DEVICE_TYPE,
        "friendlyName": device.upnp_name,
        "manufacturer": "AXIS",
        "modelDescription": "Herald network speaker",
        "modelName": device.model,
        "modelNumber": device.model,
        "serialNumber": device.serial,
        "UDN": "uuid:" + device.uuid,
        "presentationURL": device.web_url(address),
    }
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return ('<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
            "<specVersion><major>1</major><minor>0</minor></specVersion>"
            f"<device>{body}</device></root>\n").encode()


class SsdpResponder(Responder):
    """Answers searches while on; `device()` is read for each answer, so a
    new friendly name is told at once."""

    def __init__(self, device: Callable[[], Advertised], description_port: int) -> None:
        super().__init__()
        self.device = device
        self.description_port = description_port

    def location(self, address: str) -> str:
        return f"http://{address}:{self.description_port}{DESCRIPTION_PATH}"

    def advertise(self, kind: str, address: str) -> None:
        """ssdp:alive or ssdp:byebye for the root device, the device and its type."""
        if self.transport is None:
            return
        device = self.device()
        for target in (ROOT, "uuid:" + device.uuid, DEVICE_TYPE):
            self.transport.sendto(notify(kind, target, device, self.location(address)),
                                  (GROUP, PORT))

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        target = parse_search(data)
        device = self.device()
        answer_target = matching_target(target, device) if target else None
        if answer_target is not None:
            self.answer(addr, lambda here: search_answer(answer_target, device,
                                                         self.location(here)))


async def serve_description(device: Callable[[], Advertised], port: int,
                            host: str = "0.0.0.0") -> asyncio.Server:
    """A minimal HTTP server with one document, the description; anything
    else is 404, a request line over 1 KiB or slower than 5 s is dropped."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            method, _, rest = request.partition(b" ")
            path = rest.partition(b" ")[0]
            if method == b"GET" and path == DESCRIPTION_PATH.encode():
                here = writer.get_extra_info("sockname")[0]
                body = description(device(), here)
                head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
                writer.write(head + body)
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port, limit=1024)
