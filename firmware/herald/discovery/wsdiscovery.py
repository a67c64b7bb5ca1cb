"""WS-Discovery (2005/04, as ONVIF uses it): answers Probe and Resolve with
ProbeMatches and ResolveMatches, sends Hello when it starts and Bye when it
stops. The device is an ONVIF device (tds:Device, dn:NetworkVideoTransmitter,
the types ONVIF clients probe for) at http://<address>/onvif/device_service.

A datagram over MAX_REQUEST bytes, with a DTD (entity expansion), not XML or
not a Probe or Resolve for this device is dropped; answers go to the asker
alone, one per request, bounded in all (AnswerBudget)."""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import quote
from xml.sax.saxutils import escape

from herald.discovery.device import Advertised
from herald.discovery.multicast import Responder

GROUP, PORT = "239.255.255.250", 3702
MAX_REQUEST = 8192
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TYPES = ((DN, "NetworkVideoTransmitter"), (TDS, "Device"))
TO_ALL = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
ANONYMOUS = WSA + "/role/anonymous"


def scopes(device: Advertised) -> tuple[str, ...]:
    base = "onvif://www.onvif.org/"
    return (base + "type/speaker", base + "hardware/" + quote(device.model, safe=""),
            base + "name/" + quote(device.upnp_name, safe=""), base + "location/")


def endpoint(device: Advertised) -> str:
    return "urn:uuid:" + device.uuid


def _qnames(text: str, namespaces: dict[str, str]) -> set[tuple[str, str]]:
    """Types as (namespace, local name): prefixes resolved with the request's."""
    names = set()
    for word in text.split():
        prefix, _, local = word.rpartition(":")
        names.add((namespaces.get(prefix, ""), local))
    return names


def _scope_matches(asked: str, ours: str) -> bool:
    """RFC 3986 matching, the default rule: ours equals asked or extends it by segments."""
    asked, ours = asked.rstrip("/"), ours.rstrip("/")
    return ours == asked or ours.startswith(asked + "/")


def parse(datagram: bytes) -> tuple[str, str, ET.Element, dict[str, str]] | None:
    """(action, message id, body's first element, prefixes) of a safe request."""
    if len(datagram) > MAX_REQUEST or b"<!" in datagram:
        return None
    namespaces: dict[str, str] = {}
    try:
        events = ET.iterparse(io.BytesIO(datagram), events=("start-ns",))
        for _, (prefix, uri) in events:
            namespaces[prefix] = uri
        root = ET.fromstring(datagram)
    except (ET.ParseError, LookupError, ValueError):  # LookupError: an unknown encoding
        return None
    header, body = root.find(f"{{{SOAP}}}Header"), root.find(f"{{{SOAP}}}Body")
    if root.tag != f"{{{SOAP}}}Envelope" or header is None or body is None or len(body) != 1:
        return None
    action = (header.findtext(f"{{{WSA}}}Action") or "").strip()
    message_id = (header.findtext(f"{{{WSA}}}MessageID") or "").strip()
    if not message_id or len(message_id) > 256:
        return None
    return action, message_id, body[0], namespaces


def wants(request: tuple[str, str, ET.Element, dict[str, str]], device: Advertised) -> str | None:
    """The answer's name ("ProbeMatches", "ResolveMatches") if this device is asked for."""
    action, _, element, namespaces = request
    if action == f"{WSD}/Probe" and element.tag == f"{{{WSD}}}Probe":
        asked_types = _qnames(element.findtext(f"{{{WSD}}}Types") or "", namespaces)
        scope = element.find(f"{{{WSD}}}Scopes")
        if scope is not None and scope.get("MatchBy", "") not in ("", f"{WSD}/rfc3986"):
            return None
        asked_scopes = (scope.text or "").split() if scope is not None else []
        ours = scopes(device)
        if asked_types <= set(TYPES) and all(
                any(_scope_matches(s, o) for o in ours) for s in asked_scopes):
            return "ProbeMatches"
    address = element.findtext(f"{{{WSA}}}EndpointReference/{{{WSA}}}Address") or ""
    if action == f"{WSD}/Resolve" and element.tag == f"{{{WSD}}}Resolve" \
            and address.strip() == endpoint(device):
        return "ResolveMatches"
    return None


def message(action: str, body: str, to: str, relates_to: str = "",
            sequence: int = 1) -> bytes:
    relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}" xmlns:d="{WSD}" '
            f'xmlns:dn="{DN}" xmlns:tds="{TDS}"><s:Header>'
            f"<a:Action>{WSD}/{action}</a:Action>"
            f"<a:MessageID>urn:uuid:{uuid.uuid4()}</a:MessageID>{relates}<a:To>{to}</a:To>"
            f'<d:AppSequence InstanceId="{sequence}" MessageNumber="1"/>'
            f"</s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


def description(device: Advertised, address: str) -> str:
    """The endpoint's reference, types, scopes and address, as every message tells them."""
    return (f"<a:EndpointReference><a:Address>{endpoint(device)}</a:Address>"
            "</a:EndpointReference><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>"
            f"<d:Scopes>{escape(' '.join(scopes(device)))}</d:Scopes>"
            f"<d:XAddrs>http://{address}/onvif/device_service</d:XAddrs>"
            "<d:MetadataVersion>1</d:MetadataVersion>")


def matches(kind: str, device: Advertised, address: str, relates_to: str,
            sequence: int) -> bytes:
    single = kind.removesuffix("es")
    return message(kind, f"<d:{kind}><d:{single}>{description(device, address)}"
                   f"</d:{single}></d:{kind}>", ANONYMOUS, relates_to, sequence)


class WsDiscoveryResponder(Responder):
    def __init__(self, device: Callable[[], Advertised], sequence: int) -> None:
        super().__init__()
        self.device = device
        self.sequence = sequence  # AppSequence InstanceId: grows at every start

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = parse(data)
        device = self.device()
        kind = wants(request, device) if request else None
        if request is not None and kind is not None:
            self.answer(addr, lambda here: matches(kind, device, here, request[1],
                                                   self.sequence))

    def announce(self, action: str, address: str) -> None:
        """Hello (telling `address`) or Bye to the group."""
        if self.transport is None:
            return
        device = self.device()
        body = (f"<d:{action}>{description(device, address)}</d:{action}>" if action == "Hello"
                else f"<d:Bye><a:EndpointReference><a:Address>{endpoint(device)}</a:Address>"
                     "</a:EndpointReference></d:Bye>")
        self.transport.sendto(message(action, body, TO_ALL, sequence=self.sequence),
                              (GROUP, PORT))
