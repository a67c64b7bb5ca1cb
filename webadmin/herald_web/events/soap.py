"""The event service at /vapix/services (namespace event1): the device's event
instances (GetEventInstances, for viewers, as the `axis` library reads
them) and the scheduled events (schedules and pulses: Get, Add and
RemoveScheduledEvent, the last two for administrators), as AXIS devices
serve them. The events service keeps and checks them; a refusal is a fault
with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest

from herald.access import Level
from herald.bus import ServiceUnavailable
from herald.events import contract
from herald_web.device import bus
from herald_web.events.instances import topic_set
from herald_web.vapix import soap
from herald_web.vapix.soap import RECEIVER, SoapFault, child, invalid, optional, text

EVENT1 = soap.NAMESPACES["aev"]
ICAL = "http://www.axis.com/vapix/ws/ical1"  # the dialect of a schedule's text
KINDS = {"Interval": "interval", "Pulse": "pulse"}  # VAPIX's schedule types, Herald's


def ask(method: str, **params: Any) -> dict[str, Any]:
    """The events service's answer to `method`; its refusal is a fault with its
    reason, no answer one that says to try again (503)."""
    try:
        answer = bus().call(contract.SERVICE, method, **params)
    except ServiceUnavailable as exc:
        raise SoapFault(RECEIVER, "", "the device's events service did not answer; try again "
                                      f"in a moment ({exc})", status=503) from None
    if not answer.get("ok"):
        raise invalid(answer["message"])
    return answer


def event_method(name: str, level: Level = Level.ADMIN) -> Any:
    return soap.method(EVENT1, name, level, "event service")


def removal(register: Callable[[str], Any], prefix: str, name: str, call: str, argument: str,
            field: str, value: Callable[[ET.Element, str], Any] = text) -> None:
    """Serve `name` (with `register`): ask the events service's `call` to remove
    what the request's `field` names (read with `value`) and answer an empty
    response (written with `prefix`)."""
    def remove(request: HttpRequest, operation: ET.Element) -> ET.Element:
        ask(call, by=request.user.get_username(), **{argument: value(operation, field)})
        return ET.Element(f"{prefix}:{name}Response")
    register(name)(remove)


@event_method("GetEventInstances", Level.VIEWER)
def get_event_instances(request: HttpRequest, operation: ET.Element) -> ET.Element:
    response = ET.Element("aev:GetEventInstancesResponse")
    response.append(topic_set(ask(contract.INSTANCES)["instances"]))
    return response


@event_method("GetScheduledEvents", Level.VIEWER)
def get_scheduled_events(request: HttpRequest, operation: ET.Element) -> ET.Element:
    """Every schedule and pulse, or with ScheduleFilter/ScheduleType those of one type."""
    wanted = None
    found = optional(operation, "ScheduleFilter")
    if found is not None:
        kind = text(found, "ScheduleType")
        if kind not in KINDS:
            raise invalid(f"ScheduleType is {' or '.join(KINDS)}")
        wanted = KINDS[kind]
    response = ET.Element("aev:GetScheduledEventsResponse")
    listed = ET.SubElement(response, "aev:ScheduledEvents")
    for schedule in ask(contract.LIST_SCHEDULES)["schedules"]:
        if wanted not in (None, schedule["kind"]):
            continue
        event = ET.SubElement(listed, "aev:ScheduledEvent")
        ET.SubElement(event, "aev:EventID").text = schedule["id"]
        ET.SubElement(event, "aev:Name").text = schedule["name"]
        ET.SubElement(ET.SubElement(event, "aev:Schedule"), "aev:ICalendar",
                      {"Dialect": ICAL}).text = schedule["ical"]
    return response


@event_method("AddScheduledEvent")
def add_scheduled_event(request: HttpRequest, operation: ET.Element) -> ET.Element:
    new = child(operation, "NewScheduledEvent")
    if optional(new, "EventID") is not None:
        raise invalid("EventID is given by this device: leave it out")
    calendar = child(child(new, "Schedule"), "ICalendar")
    if calendar.get("Dialect", ICAL) != ICAL:
        raise invalid(f"the ICalendar's Dialect is {ICAL}")
    answer = ask(contract.ADD_SCHEDULE, name=text(new, "Name"), ical=calendar.text or "",
                 by=request.user.get_username())
    response = ET.Element("aev:AddScheduledEventResponse")
    ET.SubElement(response, "aev:EventID").text = answer["id"]
    return response


removal(event_method, "aev", "RemoveScheduledEvent", contract.REMOVE_SCHEDULE, "schedule_id",
        "EventID")
