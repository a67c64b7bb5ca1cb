"""SOAP 1.2 as VAPIX web services speak it at /vapix/services: one endpoint for
every service, a request's envelope read safely, the method it names routed
to the app that serves it, and the reply's envelope or a fault.

An app serves a method by registering it with its namespace and the level
it needs; the handler gets the method's element and returns the response
element:

    @soap.method(EVENT1, "GetEventInstances", Level.VIEWER)
    def get_event_instances(request, operation): return ET.Element(...)

A handler refuses a request by raising SoapFault. A method of a namespace
some app serves that no app has is ter:ActionNotSupported; one of another
namespace ter:UnknownAction. An unknown method needs an administrator, so
that other callers learn nothing but that they may not.

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

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald_web.vapix.registry import cgi, forbidden, unauthorized
from herald_web.vapix.replies import quote

ENV = "http://www.w3.org/2003/05/soap-envelope"
NAMESPACES = {
    "env": ENV,
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "ter": "http://www.onvif.org/ver10/error",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "aev": "http://www.axis.com/vapix/ws/event1",
    "aa": "http://www.axis.com/vapix/ws/action1",
    "tns1": "http://www.onvif.org/ver10/topics",
    "tnsaxis": "http://www.axis.com/2009/event/topics",
}
CONTENT_TYPE = "application/soap+xml; charset=utf-8"
SENDER, RECEIVER, VERSION_MISMATCH = "env:Sender", "env:Receiver", "env:VersionMismatch"
MAX_BODY = 256 * 1024  # the largest request read; VAPIX's SOAP requests are small


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


def invalid(reason: str) -> SoapFault:
    """A fault for an argument the caller got wrong."""
    return SoapFault(SENDER, "ter:InvalidArgVal", reason)


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


def optional(parent: ET.Element, name: str) -> ET.Element | None:
    """`parent`'s element `name` in `parent`'s namespace, as VAPIX's methods nest
    their arguments, or None."""
    namespace = parent.tag.partition("}")[0] + "}" if parent.tag.startswith("{") else ""
    return parent.find(namespace + name)


def child(parent: ET.Element, name: str) -> ET.Element:
    """`parent`'s element `name` (see optional()); a fault if it is missing."""
    found = optional(parent, name)
    if found is None:
        raise SoapFault(SENDER, "ter:InvalidArgs",
                        f"{parent.tag.rpartition('}')[2]} needs {name}")
    return found


def text(parent: ET.Element, name: str) -> str:
    """The text of `parent`'s element `name` (see child()), trimmed."""
    return (child(parent, name).text or "").strip()


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


# -- routing ------------------------------------------------------------------------

Handler = Callable[[HttpRequest, ET.Element], ET.Element]


@dataclass(frozen=True)
class _Method:
    handler: Handler
    level: Level


_methods: dict[str, _Method] = {}  # "{namespace}Name" -> its handler
_services: dict[str, str] = {}  # namespace -> what its faults call it


def method(namespace: str, name: str, level: Level,
           service: str = "") -> Callable[[Handler], Handler]:
    """Serve `name` of `namespace` to callers at `level`; `service` names the
    namespace's service in faults ("event service")."""
    def decorate(handler: Handler) -> Handler:
        tag = f"{{{namespace}}}{name}"
        if tag in _methods:
            raise ValueError(f"SOAP method {tag} registered twice")
        _methods[tag] = _Method(handler, level)
        _services.setdefault(namespace, service or namespace)
        return handler
    return decorate


def _body(request: HttpRequest) -> bytes:
    try:
        body = request.body
    except RequestDataTooBig:
        body = None
    if body is None or len(body) > MAX_BODY:
        raise SoapFault(SENDER, "", f"the request is larger than {MAX_BODY} bytes")
    return body


def _unsupported(namespace: str, name: str) -> SoapFault:
    if namespace in _services:
        return SoapFault(RECEIVER, "ter:ActionNotSupported",
                         f"{quote(name)} is not supported by this device's {_services[namespace]}")
    return SoapFault(SENDER, "ter:UnknownAction",
                     f"{quote(name)} in namespace {quote(namespace or '(none)')} is not a method "
                     "of this device's services")


@cgi("/vapix/services", Level.VIEWER, methods=("POST",))
def services(request: HttpRequest) -> HttpResponse:
    """One SOAP 1.2 request: its Body's element names the method."""
    try:
        called = operation(_body(request))
        found = _methods.get(called.tag)
        if request.herald_level < (found.level if found else Level.ADMIN):
            return forbidden() if request.user.is_authenticated else unauthorized()
        if found is None:
            namespace, _, name = called.tag.lstrip("{").rpartition("}")
            raise _unsupported(namespace, name)
        return reply(found.handler(request, called))
    except SoapFault as error:
        return fault(error)
