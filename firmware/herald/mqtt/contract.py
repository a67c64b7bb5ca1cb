"""The MQTT client's contract on the bus (herald-mqtt serves it).

State:
    STATUS  `MqttStatus`: whether the client is connected to its broker and,
            when it is not, why (off, unreachable, certificate, credentials)
Event MESSAGE {"message": `MqttMessage`}: a message from the broker on one of the
        subscriptions (MQTT.Subscription.S<n>); the events service makes it
        an event rules can use.
Calls to SERVICE, each answering {"ok": True} or {"ok": False, "message"}:
    PUBLISH(topic, payload, qos, retain)  a message to the broker (a rule's
            "MQTT publish"); refused while the client is off; QoS 0 is sent
            only while connected, QoS 1 and 2 wait in the outbox
    and the bus's PING.
The events it publishes are the events service's NOTIFY
(herald.events.contract), under the MQTT.Publication settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "mqtt"
# The setting that turns the client on: while it is off /healthz does not ask herald-mqtt.
ENABLED = "MQTT.Client.Enabled"
# A port of 0 in the settings (MQTT.Client.Port) is the protocol's, as the manual lists them.
DEFAULT_PORTS = {"tcp": 1883, "ssl": 8883, "ws": 80, "wss": 443}
STATUS = "mqtt.status"
PUBLISH = "publish"
MAX_TOPIC = 255  # characters of a topic the client publishes to
MESSAGE = "mqtt.message"

# Subscriptions (the manual's "MQTT subscriptions"): numbered parameter groups.
SUBSCRIPTIONS = "MQTT.Subscription"
SUBSCRIPTION_TEMPLATE = "mqttsubscription"
MAX_SUBSCRIPTIONS = 16
# A subscription's type: each message an event that happens, or the payload a state.
STATELESS, STATEFUL = "stateless", "stateful"
MAX_PAYLOAD = 1024  # characters of a message's payload kept in its event

# MqttStatus.state
OFF = "off"
CONNECTING = "connecting"
CONNECTED = "connected"
DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class MqttStatus(Payload):
    state: str  # OFF, CONNECTING, CONNECTED or DISCONNECTED
    broker: str = ""  # "<protocol>://<host>:<port>", "" while off
    client_id: str = ""
    reason: str = ""  # why it is not connected, in words for the page and the log
    queued: int = 0  # QoS 1 and 2 messages waiting for the broker


@dataclass(frozen=True)
class MqttMessage(Payload):
    topic: str
    payload: str  # as UTF-8 text (bytes that are not: replaced), cut at MAX_PAYLOAD
    stateful: bool  # from a stateful subscription: the payload is the topic's state
