"""/axis-cgi/mqtt/event.cgi (AXIS's MQTT event bridge, id event-mqtt-bridge):
which events are published, and how, as MQTT.Publication parameters.
Herald publishes every filter with one QoS and one retain: a request that
asks for different ones is refused with that reason, never half stored."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from herald.access import Level
from herald_web.device import params
from herald_web.mqtt.client_api import store
from herald_web.mqtt.fields import pick, yes_no
from herald_web.vapix.jsonapi import MODERN, JsonApi, JsonApiError

api = JsonApi(versions=("1.0",), errors=MODERN)
RETAIN = ("none", "property", "all")
MAX_FILTERS = 32


def _filters(body: dict[str, Any]) -> tuple[list[str], int | None, str | None]:
    """The topic filters, and the one QoS and retain they share."""
    given = pick(body, "eventFilterList", list)
    if given is None:
        return [], None, None
    if len(given) > MAX_FILTERS:
        raise JsonApiError("invalid", f"eventFilterList holds at most {MAX_FILTERS} filters")
    topics, qos, retain = [], set(), set()
    for number, entry in enumerate(given):
        where = f"eventFilterList[{number}]."
        if not isinstance(entry, dict):
            raise JsonApiError("invalid", f"eventFilterList[{number}] must be an object")
        topic = pick(entry, "topicFilter", str, where)
        if not topic or "," in topic:
            raise JsonApiError("invalid", f"{where}topicFilter must be a topic without commas")
        topics.append(topic)
        qos.add(pick(entry, "qos", int, where) or 0)
        retain.add(pick(entry, "retain", str, where) or "none")
    if len(qos) > 1 or len(retain) > 1:
        raise JsonApiError("invalid", "every filter must have the same qos and retain")
    (level,), (kept,) = qos or {0}, retain or {"none"}
    if kept not in RETAIN:
        raise JsonApiError("invalid", "retain must be none, property or all")
    return topics, level, kept


@api.method("configureEventPublication", Level.ADMIN)
def configure(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    prefix = pick(body, "topicPrefix", str)
    if prefix not in (None, "default", "custom"):
        raise JsonApiError("invalid", "topicPrefix must be default or custom")
    topics, qos, retain = _filters(body)
    given = "eventFilterList" in body
    store(request, {
        "MQTT.Publication.UseDefaultPrefix": None if prefix is None else yes_no(
            prefix == "default"),
        "MQTT.Publication.CustomPrefix": pick(body, "customTopicPrefix", str),
        "MQTT.Publication.IncludeTopicName": yes_no(pick(body, "appendEventTopic", bool)),
        "MQTT.Publication.IncludeTopicNamespaces": yes_no(
            pick(body, "includeTopicNamespaces", bool)),
        "MQTT.Publication.IncludeSerialNumber": yes_no(
            pick(body, "includeSerialNumberInPayload", bool)),
        "MQTT.Publication.Enabled": yes_no(bool(topics)) if given else None,
        "MQTT.Publication.Conditions": ",".join(topics) if given else None,
        "MQTT.Publication.QoS": str(qos) if given else None,
        "MQTT.Publication.Retain": retain if given else None,
    })
    return {}


@api.method("getEventPublicationConfig", Level.ADMIN)
def get_config(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    get = params().snapshot().get
    on = get("MQTT.Publication.Enabled") == "yes"
    conditions = [c for c in get("MQTT.Publication.Conditions").split(",") if c] if on else []
    qos, retain = int(get("MQTT.Publication.QoS")), get("MQTT.Publication.Retain")
    return {"eventPublicationConfig": {
        "topicPrefix": "default" if get("MQTT.Publication.UseDefaultPrefix") == "yes"
        else "custom",
        "customTopicPrefix": get("MQTT.Publication.CustomPrefix"),
        "appendEventTopic": get("MQTT.Publication.IncludeTopicName") == "yes",
        "includeTopicNamespaces": get("MQTT.Publication.IncludeTopicNamespaces") == "yes",
        "includeSerialNumberInPayload": get("MQTT.Publication.IncludeSerialNumber") == "yes",
        "eventFilterList": [{"topicFilter": c, "qos": qos, "retain": retain}
                            for c in conditions]}}
