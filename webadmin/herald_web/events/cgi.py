"""VAPIX for events: the virtual inputs (virtualinput/activate.cgi,
deactivate.cgi, getschemaversions.cgi) and wssession.cgi's tokens for the
event stream (stream.py). The event and action services' SOAP methods at
/vapix/services are in soap.py and actions.py, registered with the device's
one SOAP endpoint (vapix.soap) when this module is found.

The virtual input CGIs answer as AXIS's Virtual input API does: XML
VirtualInputResponse, HTTP 200 also for errors, whose GeneralError codes say
what to fix (10 missing argument, 20 no such port, 30 schema version,
40 device, 50 duration).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald.events import contract
from herald_web.device import call
from herald_web.events import actions, soap  # noqa: F401  (their SOAP methods register)
from herald_web.events.stream import issue_token
from herald_web.vapix.discovery import Api, offer
from herald_web.vapix.registry import cgi
from herald_web.vapix.replies import arguments, quote, text

offer(Api("event-streaming-over-websocket", "Event Streaming over WebSocket", "1.0"))

# -- virtual inputs ---------------------------------------------------------------

VIRTUAL_INPUT = "http://www.axis.com/vapix/http_cgi/virtualinput1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_MAJOR, SCHEMA_MINOR = 1, 1


class VirtualInputError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code


def _virtual_input_reply(content: ET.Element) -> HttpResponse:
    root = ET.Element("VirtualInputResponse", {
        "xmlns": VIRTUAL_INPUT, "xmlns:xsi": XSI,
        "SchemaVersion": f"{SCHEMA_MAJOR}.{SCHEMA_MINOR}",
        "xsi:schemaLocation": f"{VIRTUAL_INPUT} {VIRTUAL_INPUT}_0.xsd"})
    root.append(content)
    ET.indent(root)
    return HttpResponse('<?xml version="1.0" encoding="utf-8"?>\n'
                        + ET.tostring(root, encoding="unicode") + "\n",
                        content_type="text/xml; charset=utf-8")


def _error(error: VirtualInputError) -> HttpResponse:
    element = ET.Element("Error")
    general = ET.SubElement(element, "GeneralError")
    ET.SubElement(general, "ErrorCode").text = str(error.code)
    ET.SubElement(general, "ErrorDescription").text = str(error)
    return _virtual_input_reply(element)


def _argument(args: dict, name: str) -> str:
    value = args.get(name)
    if value in (None, ""):
        raise VirtualInputError(10, f"Missing argument: {name}")
    return value


def _check_schema(args: dict) -> None:
    asked = _argument(args, "schemaversion")
    if asked != str(SCHEMA_MAJOR):
        raise VirtualInputError(30, f"Schema version {quote(asked)} is not supported: "
                                    f"use schemaversion={SCHEMA_MAJOR}")


def _port(args: dict) -> int:
    port = _argument(args, "port")
    ports = contract.VIRTUAL_INPUTS
    if not port.isascii() or not port.isdigit() or int(port) not in ports:
        raise VirtualInputError(20, f"Port must be an integer in the range "
                                    f"[{ports[0]}..{ports[-1]}], not {quote(port)}")
    return int(port)


def _duration(args: dict) -> int | None:
    duration = args.get("duration")
    if duration is None:
        return None
    if not duration.isascii() or not duration.isdigit():
        raise VirtualInputError(50, f"Invalid duration {quote(duration)}: "
                                    "a whole number of seconds")
    return int(duration)


def _set(port: int, active: bool, seconds: int | None = None) -> bool:
    """Whether the port's state changed; a refusal with a duration is the duration's."""
    answer = call(contract.SERVICE, contract.SET_VIRTUAL_INPUT, port=port, active=active,
                  seconds=seconds)
    if not answer.get("ok"):
        raise VirtualInputError(50 if seconds is not None else 40, answer["message"])
    return bool(answer["changed"])


def _state_changed(name: str, changed: bool) -> HttpResponse:
    success = ET.Element("Success")
    ET.SubElement(ET.SubElement(success, f"{name}Success"), "StateChanged").text = (
        "true" if changed else "false")
    return _virtual_input_reply(success)


@cgi("virtualinput/activate.cgi", Level.OPERATOR)
def activate(request: HttpRequest) -> HttpResponse:
    """Activate a port, for `duration` seconds if given (0: activated and at once
    deactivated, as AXIS does)."""
    args = arguments(request)
    try:
        _check_schema(args)
        port, duration = _port(args), _duration(args)
        changed = _set(port, True, duration or None)
        if duration == 0:
            _set(port, False)
    except VirtualInputError as exc:
        return _error(exc)
    return _state_changed("Activate", changed)


@cgi("virtualinput/deactivate.cgi", Level.OPERATOR)
def deactivate(request: HttpRequest) -> HttpResponse:
    args = arguments(request)
    try:
        _check_schema(args)
        changed = _set(_port(args), False)
    except VirtualInputError as exc:
        return _error(exc)
    return _state_changed("Deactivate", changed)


@cgi("virtualinput/getschemaversions.cgi", Level.OPERATOR)
def getschemaversions(request: HttpRequest) -> HttpResponse:
    success = ET.Element("Success")
    version = ET.SubElement(ET.SubElement(success, "GetSchemaVersionsSuccess"), "SchemaVersion")
    ET.SubElement(version, "MajorVersion").text = str(SCHEMA_MAJOR)
    ET.SubElement(version, "MinorVersion").text = str(SCHEMA_MINOR)
    return _virtual_input_reply(success)


# -- the event stream's tokens ----------------------------------------------------


@cgi("wssession.cgi", Level.VIEWER, methods=("GET",))
def wssession(request: HttpRequest) -> HttpResponse:
    """A token for /vapix/ws-data-stream?sources=events&wssession=<token>: valid
    15 s, good once, for the caller's account."""
    return text(issue_token(request.user))
