"""What goes on the wire, in the shapes AXIS's MQTT client and event bridge
use, so that integrations written for AXIS speakers read Herald's as well."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from herald.events.contract import Notification
from herald.mqtt.settings import Message, Publication

# ONVIF's and AXIS's namespace prefixes as the event service names them, and
# as AXIS's MQTT payloads write them.
NAMESPACES = {"tns1": "onvif", "tnsaxis": "axis"}
PREFIX = re.compile(r"\b(\w+):")
ALL_BELOW = "//."  # ONVIF topic expression: this topic and all under it


def connection_payload(message: Message, serial: str, connected: bool) -> str:
    """The connect message's or last will's payload: the one set, or AXIS's default."""
    if message.payload:
        return message.payload
    return json.dumps({
        "serialNumber": serial, "connected": connected,
        "description": "Connected" if connected else "Unexpected disconnect",
        "timestamp": int(time.time() * 1000)})


def event_topic(notification: Notification, publication: Publication) -> str:
    """<prefix>/event, then the event's topic when asked (namespaces as AXIS
    writes them, or none)."""
    topic = f"{publication.prefix}/event"
    if not publication.include_topic:
        return topic
    if publication.include_namespaces:
        name = PREFIX.sub(lambda m: NAMESPACES.get(m[1], m[1]) + ":", notification.topic)
    else:
        name = PREFIX.sub("", notification.topic)
    return f"{topic}/{name}"


def event_payload(notification: Notification, publication: Publication,
                  serial: str) -> bytes:
    body: dict[str, Any] = {
        "topic": PREFIX.sub(lambda m: NAMESPACES.get(m[1], m[1]) + ":", notification.topic),
        "timestamp": int(notification.timestamp * 1000),
        "message": {"source": notification.source, "key": notification.key,
                    "data": notification.data},
    }
    if publication.include_serial:
        body["serialNumber"] = serial
    return json.dumps(body).encode()


def retained(notification: Notification, publication: Publication) -> bool:
    return publication.retain == "all" or (publication.retain == "property"
                                           and notification.stateful)


def matches(notification: Notification, publication: Publication) -> bool:
    """A condition names an event topic, with or without namespaces; ONVIF's
    "//." after a topic means every topic under it, and alone every event
    (what Home Assistant's axis library asks for)."""
    if not publication.enabled:
        return False
    if not publication.conditions:
        return True
    forms = (notification.topic, PREFIX.sub("", notification.topic),
             PREFIX.sub(lambda m: NAMESPACES.get(m[1], m[1]) + ":", notification.topic))
    return any(form.startswith(condition.removesuffix(ALL_BELOW))
               for condition in publication.conditions for form in forms)
