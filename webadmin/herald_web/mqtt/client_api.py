"""/axis-cgi/mqtt/client.cgi (AXIS's MQTT client API, id mqtt-client): the
client's configuration as MQTT.* parameters, its activation and status.
Every change is one parameter update: all of it is stored, or nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from herald.access import Level
from herald.mqtt import contract
from herald.params import ParamError
from herald_web.accounts.parameters import apply_params
from herald_web.device import params
from herald_web.mqtt.fields import section, yes_no
from herald_web.mqtt.status import client_status
from herald_web.vapix.json_fields import pick
from herald_web.vapix.jsonapi import MODERN, JsonApi, JsonApiError

api = JsonApi(versions=("1.0",), errors=MODERN)
MESSAGES = (("connectMessage", "ConnectMessage"), ("lastWillTestament", "LastWill"))


def store(request: HttpRequest, changes: dict[str, str | None]) -> None:
    """The changes (None: not given) as one update, or a clear refusal."""
    try:
        apply_params({k: v for k, v in changes.items() if v is not None}, Level.ADMIN,
                     request.user.get_username())
    except ParamError as exc:
        raise JsonApiError("invalid", str(exc)) from None


def _message_changes(config: dict[str, Any], name: str, group: str) -> dict[str, str | None]:
    given = section(config, name)
    where = f"{name}."
    qos = pick(given, "qos", int, where)
    use_default = pick(given, "useDefault", bool, where)
    topic, payload = pick(given, "topic", str, where), pick(given, "message", str, where)
    return {
        f"MQTT.{group}.Enabled": yes_no(None if not given else True),
        f"MQTT.{group}.Topic": "" if use_default else topic,
        f"MQTT.{group}.Payload": "" if use_default else payload,
        f"MQTT.{group}.Retain": yes_no(pick(given, "retain", bool, where)),
        f"MQTT.{group}.QoS": None if qos is None else str(qos),
    }


# Fields AXIS documents that Herald does not act on (it always reconnects, and
# keeps its settings over a restart): checked, so a typo is still an error.
NOT_USED = (("activateOnReboot", bool), ("autoReconnect", bool), ("connectTimeout", int),
            ("keepExistingPassword", bool), ("disconnectMessage", dict))


@api.method("configureClient", Level.ADMIN)
def configure_client(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    server, ssl = section(body, "server"), section(body, "ssl")
    for name, kind in NOT_USED:
        pick(body, name, kind)
    for name in ("alpnProtocol", "basepath"):
        if pick(server, name, str, "server."):
            raise JsonApiError("invalid", f"server.{name} is not supported by this device")
    port, keep_alive = pick(server, "port", int, "server."), pick(body, "keepAliveInterval", int)
    changes: dict[str, str | None] = {
        "MQTT.Client.Host": pick(server, "host", str, "server."),
        "MQTT.Client.Protocol": pick(server, "protocol", str, "server."),
        "MQTT.Client.Port": None if port is None else str(port),
        "MQTT.Client.Username": pick(body, "username", str),
        "MQTT.Client.Password": pick(body, "password", str),
        "MQTT.Client.ClientID": pick(body, "clientId", str),
        "MQTT.Client.KeepAlive": None if keep_alive is None else str(keep_alive),
        "MQTT.Client.CleanSession": yes_no(pick(body, "cleanSession", bool)),
        "MQTT.Client.TopicPrefix": pick(body, "deviceTopicPrefix", str),
        "MQTT.Client.ValidateServer": yes_no(pick(ssl, "validateServerCert", bool, "ssl.")),
        "MQTT.Client.CACertificate": pick(ssl, "CACertID", str, "ssl."),
        "MQTT.Client.ClientCertificate": pick(ssl, "clientCertID", str, "ssl."),
    }
    if changes["MQTT.Client.ClientCertificate"] is not None:  # its key beside it, as <id>.key
        changes["MQTT.Client.ClientKey"] = changes["MQTT.Client.ClientCertificate"].rsplit(
            ".", 1)[0] + ".key" if changes["MQTT.Client.ClientCertificate"] else ""
    for name, group in MESSAGES:
        changes.update(_message_changes(body, name, group))
    store(request, changes)
    return {}


@api.method("activateClient", Level.ADMIN)
def activate_client(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    store(request, {"MQTT.Client.Enabled": "yes"})
    return {}


@api.method("deactivateClient", Level.ADMIN)
def deactivate_client(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    store(request, {"MQTT.Client.Enabled": "no"})
    return {}


def _message(get: Any, group: str) -> dict[str, Any]:
    topic, payload = get(f"MQTT.{group}.Topic"), get(f"MQTT.{group}.Payload")
    return {"useDefault": not (topic or payload), "topic": topic, "message": payload,
            "retain": get(f"MQTT.{group}.Retain") == "yes", "qos": int(get(f"MQTT.{group}.QoS"))}


@api.method("getClientStatus", Level.ADMIN)
def get_client_status(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    get = params().snapshot().get
    active = get("MQTT.Client.Enabled") == "yes"
    status = client_status()
    if status is not None and status.state == contract.CONNECTED:
        connection = "connected"
    else:
        connection = "disconnected" if active else "not connected"
    protocol = get("MQTT.Client.Protocol")
    config: dict[str, Any] = {
        "server": {"host": get("MQTT.Client.Host"), "protocol": protocol,
                   "port": int(get("MQTT.Client.Port")) or contract.DEFAULT_PORTS[protocol]},
        "username": get("MQTT.Client.Username"), "clientId": get("MQTT.Client.ClientID"),
        "keepAliveInterval": int(get("MQTT.Client.KeepAlive")),
        "cleanSession": get("MQTT.Client.CleanSession") == "yes",
        "deviceTopicPrefix": get("MQTT.Client.TopicPrefix"),
        "ssl": {"validateServerCert": get("MQTT.Client.ValidateServer") == "yes",
                "CACertID": get("MQTT.Client.CACertificate"),
                "clientCertID": get("MQTT.Client.ClientCertificate")},
    }
    for name, group in MESSAGES:
        if get(f"MQTT.{group}.Enabled") == "yes":
            config[name] = _message(get, group)
    return {"status": {"state": "active" if active else "inactive",
                       "connectionStatus": connection,
                       **({"reason": status.reason} if status and status.reason else {})},
            "config": config}
