"""The MQTT client and event bridge CGIs as a VAPIX client calls them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.mqtt.broker import HOST, PASSWORD, USER

CLIENT, EVENT = "/axis-cgi/mqtt/client.cgi", "/axis-cgi/mqtt/event.cgi"
INVALID = 2104  # the newer APIs' "Invalid parameter value"


def call(client: httpx.Client, where: str, method: str, **params: Any) -> dict[str, Any]:
    reply = client.post(where, json={"apiVersion": "1.0", "method": method, "params": params})
    assert reply.status_code == 200, reply.text
    return reply.json()


def configuration(port: int) -> dict[str, Any]:
    return {"server": {"host": HOST, "protocol": "tcp", "port": port}, "username": USER,
            "password": PASSWORD, "clientId": "vapix-speaker", "keepAliveInterval": 30,
            "cleanSession": True, "deviceTopicPrefix": "site/speaker",
            "lastWillTestament": {"useDefault": False, "topic": "site/gone",
                                  "message": "offline", "retain": True, "qos": 1},
            "connectMessage": {"useDefault": True, "retain": True, "qos": 1}}
