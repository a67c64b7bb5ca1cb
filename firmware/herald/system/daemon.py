"""The herald-system process: the system service on the bus (service.py), the
clip store's (herald.audio.clip_service), whose upload checks must not take
the CPU from the audio in herald-core, and discovery (herald.discovery)."""

from __future__ import annotations

from herald.audio import contract as audio
from herald.audio.clip_service import ClipService
from herald.bus import AsyncBus, Bus
from herald.daemons import run_daemon, serve_services
from herald.discovery import contract as discovery
from herald.discovery.service import DiscoveryService
from herald.environment import Environment
from herald.params import ParamStore, default_tree
from herald.system import contract
from herald.system.service import SystemService


async def run(environment: Environment) -> None:
    bus = AsyncBus(environment.redis_url, source=contract.SERVICE)
    # A reset changes parameters: the services that use them hear of it.
    params = ParamStore(environment.database, default_tree(),
                        Bus(environment.redis_url, source=contract.SERVICE))
    # Pings (/healthz) are answered while a reset clears the data partition.
    await serve_services(bus, {contract.SERVICE: SystemService(bus, environment, params),
                               audio.CLIPS_SERVICE: ClipService(environment.data_dir, params),
                               discovery.SERVICE: DiscoveryService(bus, environment, params)},
                         concurrent=True)


def main() -> None:
    run_daemon("herald-system", run)
