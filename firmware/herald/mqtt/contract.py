"""The MQTT client's contract on the bus (herald-mqtt serves it).

State:
    STATUS  `MqttStatus`: whether the client is connected to its broker and,
            when it is not, why (off, unreachable, certificate, credentials)
Calls to SERVICE: the bus's PING.
The events it publishes are the events service's NOTIFY
(herald.events.contract), under the MQTT.Publication settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "mqtt"
# A port of 0 in the settings (MQTT.Client.Port) is the protocol's, as the manual lists them.
DEFAULT_PORTS = {"tcp": 1883, "ssl": 8883, "ws": 80, "wss": 443}
STATUS = "mqtt.status"

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
