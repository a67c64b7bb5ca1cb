"""/axis-cgi/mqtt/event.cgi (AXIS's MQTT event bridge, id event-mqtt-bridge):
which events are published, and how, as MQTT.Publication parameters, and
(version 1.1) which MQTT topics the device subscribes to, as the same
MQTT.Subscription groups the System > MQTT page makes.
Herald publishes every filter with one QoS and one retain: a request that
asks for different ones is refused with that reason, never half stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from herald.access import Level
from herald.mqtt.contract import MAX_SUBSCRIPTIONS, STATELESS, SUBSCRIPTION_TEMPLATE, SUBSCRIPTIONS
from herald.params import GroupError, ParamError, Snapshot
from herald_web.device import params
from herald_web.mqtt.client_api import store
from herald_web.mqtt.fields import yes_no
from herald_web.vapix.json_fields import only, pick
from herald_web.vapix.jsonapi import MODERN, JsonApi, JsonApiError

log = logging.getLogger(__name__)
api = JsonApi(versions=("1.0", "1.1"), errors=MODERN)
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


# A subscription's fields in VAPIX and its parameter (MQTT.Subscription.S<n>.*),
# with the JSON type each takes and how its value is written as the parameter.
SUBSCRIPTION_FIELDS: dict[str, tuple[str, type, Callable[[Any], str | None]]] = {
    "topicFilter": ("Filter", str, str),
    "qos": ("QoS", int, str),
    "useDeviceTopicPrefix": ("UseDevicePrefix", bool, yes_no),
    "subscriptionType": ("Type", str, str),
}
SUBSCRIPTION_DEFAULTS = {"qos": 0, "useDeviceTopicPrefix": False, "subscriptionType": STATELESS}


def _subscription(entry: Any, where: str) -> dict[str, str]:
    """One subscription as its group's values ("Filter": ...), each checked
    by the parameter's own type, as the page's add is."""
    only(entry, SUBSCRIPTION_FIELDS, where, "a subscription field")
    if pick(entry, "topicFilter", str, f"{where}.") is None:
        raise JsonApiError("invalid", f"{where}.topicFilter is required")
    tree = params().tree
    values = {}
    for field, (name, kind, written) in SUBSCRIPTION_FIELDS.items():
        given = pick(entry, field, kind, f"{where}.")
        value = written(SUBSCRIPTION_DEFAULTS[field] if given is None else given)
        # Any group's name resolves the template's parameter (the groups are alike).
        resolved = tree.resolve(f"{SUBSCRIPTIONS}.S0.{name}")
        try:
            values[name] = resolved.definition.param.type.parse(value)
        except ValueError as exc:
            raise JsonApiError("invalid", f"{where}.{field}: {exc}") from None
    return values


def _groups(snapshot: Snapshot) -> list[str]:
    """The subscriptions' groups ("MQTT.Subscription.S0", ...) in their order."""
    made = [i for i in snapshot.instances if i.startswith(SUBSCRIPTIONS + ".")]
    return sorted(made, key=lambda group: int(group.rsplit(".S", 1)[1]))


@api.method("configureMqttSubscription", Level.ADMIN)
def configure_subscriptions(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """The device's subscriptions become `subscriptionList` (an empty list: none).

    AXIS's parameters for this method are not in its public reference as far
    as it was searched: the shape follows configureEventPublication (a list of
    objects with topicFilter and qos) and the manual's subscription fields
    (Use device topic prefix, Subscription type). Every entry is checked before
    anything is stored, and the list takes the place of the groups there are in
    one transaction."""
    unknown = sorted(set(body) - {"subscriptionList"})
    if unknown:
        raise JsonApiError("invalid", f"{unknown[0]} is not a parameter of this method")
    given = pick(body, "subscriptionList", list)
    if given is None:
        raise JsonApiError("missing", "subscriptionList is required")
    if len(given) > MAX_SUBSCRIPTIONS:
        raise JsonApiError("invalid", f"subscriptionList holds at most {MAX_SUBSCRIPTIONS} "
                           "subscriptions")
    wanted = [_subscription(entry, f"subscriptionList[{n}]") for n, entry in enumerate(given)]
    try:
        params().replace_groups(SUBSCRIPTION_TEMPLATE, SUBSCRIPTIONS, [
            {f"{SUBSCRIPTIONS}.S.{name}": value for name, value in values.items()}
            for values in wanted], Level.ADMIN)
    except (ParamError, GroupError) as exc:
        raise JsonApiError("invalid", str(exc)) from None
    log.info("MQTT subscriptions set by %s: %d", request.user.get_username(), len(wanted))
    return {}


@api.method("getMqttSubscriptionConfig", Level.ADMIN)
def get_subscriptions(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """The subscriptions as configureMqttSubscription takes them (the page's too)."""
    snapshot = params().snapshot()
    get = snapshot.get
    return {"mqttSubscriptionConfig": {"subscriptionList": [{
        "topicFilter": get(f"{group}.Filter"), "qos": int(get(f"{group}.QoS")),
        "useDeviceTopicPrefix": get(f"{group}.UseDevicePrefix") == "yes",
        "subscriptionType": get(f"{group}.Type")} for group in _groups(snapshot)]}}
