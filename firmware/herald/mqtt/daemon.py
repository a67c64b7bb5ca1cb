"""The herald-mqtt process: the MQTT service on the bus (service.py)."""

from __future__ import annotations

from herald.bus import AsyncBus
from herald.daemons import run_daemon, serve_services
from herald.environment import Environment
from herald.mqtt import contract
from herald.mqtt.service import MqttService
from herald.params import ParamStore, default_tree


async def run(environment: Environment) -> None:
    bus = AsyncBus(environment.redis_url, source=contract.SERVICE)
    params = ParamStore(environment.database, default_tree())
    await serve_services(bus, {contract.SERVICE: MqttService(bus, environment, params)})


def main() -> None:
    run_daemon("herald-mqtt", run)
