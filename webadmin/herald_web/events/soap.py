"""SOAP 1.2 as VAPIX web services speak it at /vapix/services: a request's
envelope read safely, a reply's envelope, and faults.

Requests come from the network, so they are parsed with expat directly and
any document type declaration is refused before it is read: without a DTD
no entity can be declared, so none can expand (billion laughs, external
entities). xml.etree would accept the DTD and leave expansion to expat's
limits. Replies carry every namespace on the envelope with AXIS's prefixes,
and elements in no namespace stay so: the `axis` library reads a topic path
from the element names as written (tns1:Device/tnsaxis:IO/VirtualInput).

Every fault answers HTTP 400, for env:Receiver faults too (where SOAP 1.2's
HTTP binding says 500): a VAPIX client takes a 5xx for a broken device (the
axis library and Home Assistant give up on it), while a fault only says this
request cannot be served. A service that is down is the exception: 503.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.http import HttpResponse

ENV = "http://www.w3.org/2003/05/soap-envelope"
NAMESPACES = {
    "env": ENV,
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "ter": "http://www.onvif.org/ver10/error",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "aev": "http://www.axis.com/vapix/ws/event1",
    "aa": "http://www.axis.com/vapix/ws/action1",
    "tns1": "http://www.onvif.org/ver10/topics",
    "tnsaxis": "http://www.axis.com/2009/event/topics",
}
CONTENT_TYPE = "application/soap+xml; charset=utf-8"
SENDER, RECEIVER, VERSION_MISMATCH = "env:Sender", "env:Receiver", "env:VersionMismatch"


@dataclass
class SoapFault(Exception):
    """Why a request gets no answer: a SOAP 1.2 fault code, an ONVIF subcode
    (ter:...), and a reason a person can act on."""

    code: str
    subcode: str
    reason: str
    status: int = 400

    def __str__(self) -> str:
        return self.reason


def _clark(name: str) -> str:
    """expat's "uri}local" as ElementTree's "{uri}local"."""
    return "{" + name if "}" in name else name


def _refuse_dtd(*_: object) -> None:
    raise SoapFault(SENDER, "ter:WellFormed",
                    "document type declarations (DTDs) and entities are not accepted")


def parse(body: bytes) -> ET.Element:
    """The document in `body`; raises SoapFault if it is not well-formed or has a DTD."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = lambda name, attributes: builder.start(
        _clark(name), {_clark(k): v for k, v in attributes.items()})
    parser.EndElementHandler = lambda name: builder.end(_clark(name))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise SoapFault(SENDER, "ter:WellFormed",
                        f"the request is not well-formed XML: {exc}") from None
    return builder.close()


def operation(body: bytes) -> ET.Element:
    """The element a SOAP 1.2 request's Body holds: the method and its arguments."""
    envelope = parse(body)
    if envelope.tag != f"{{{ENV}}}Envelope":
        raise SoapFault(VERSION_MISMATCH, "",
                        f"the request must be a SOAP 1.2 envelope (<Envelope xmlns=\"{ENV}\">)")
    found = envelope.find(f"{{{ENV}}}Body")
    if found is None:
        raise SoapFault(SENDER, "ter:Tag", "the envelope has no Body")
    method = next(iter(found), None)
    if method is None:
        raise SoapFault(SENDER, "ter:Tag", "the Body names no method")
    return method


def _document(payload: ET.Element) -> str:
    envelope = ET.Element("env:Envelope", {f"xmlns:{p}": uri for p, uri in NAMESPACES.items()})
    ET.SubElement(envelope, "env:Body").append(payload)
    ET.indent(envelope)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(envelope, encoding="unicode")


def reply(payload: ET.Element) -> HttpResponse:
    """A response envelope around `payload` (written with the prefixes above)."""
    return HttpResponse(_document(payload), content_type=CONTENT_TYPE)


def fault(error: SoapFault) -> HttpResponse:
    element = ET.Element("env:Fault")
    code = ET.SubElement(element, "env:Code")
    ET.SubElement(code, "env:Value").text = error.code
    if error.subcode:
        ET.SubElement(ET.SubElement(code, "env:Subcode"), "env:Value").text = error.subcode
    reason = ET.SubElement(element, "env:Reason")
    ET.SubElement(reason, "env:Text", {"xml:lang": "en"}).text = error.reason
    return HttpResponse(_document(element), status=error.status, content_type=CONTENT_TYPE)
