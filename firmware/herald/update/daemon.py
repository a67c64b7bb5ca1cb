"""The herald-updater process: the update service on the bus (service.py)."""

from __future__ import annotations

from herald.bus import AsyncBus
from herald.daemons import run_daemon, serve_services
from herald.environment import Environment
from herald.update import contract
from herald.update.service import UpdateService


async def run(environment: Environment) -> None:
    bus = AsyncBus(environment.redis_url, source=contract.SERVICE)
    # An install takes minutes; a status read meanwhile is answered at once.
    await serve_services(bus, {contract.SERVICE: UpdateService(bus)}, concurrent=True)


def main() -> None:
    run_daemon("herald-updater", run)
