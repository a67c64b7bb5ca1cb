"""The MQTT client's status as herald-mqtt publishes it on the bus."""

from __future__ import annotations

from herald.mqtt import contract
from herald_web.device import bus


def client_status() -> contract.MqttStatus | None:
    """None while herald-mqtt has said nothing (it is not running)."""
    raw = bus().state().get(contract.STATUS)
    return contract.MqttStatus.from_dict(raw) if raw else None
