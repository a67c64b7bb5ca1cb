"""The herald-snmp process: the SNMP service on the bus (service.py).

HERALD_SNMP_PORT is the agent's UDP port (161 on the device, 1161 on a
development host, where 161 needs root); HERALD_SNMP_TRAP_PORT the trap
receivers' (162; a host's test receiver listens higher)."""

from __future__ import annotations

from herald.bus import AsyncBus, Bus
from herald.daemons import port, run_daemon, serve_services
from herald.environment import Environment
from herald.params import ParamStore, default_tree
from herald.snmp import contract
from herald.snmp.service import SnmpService

DEVICE_PORT, HOST_PORT, TRAP_PORT = 161, 1161, 162


async def run(environment: Environment) -> None:
    bus = AsyncBus(environment.redis_url, source=contract.SERVICE)
    # sysContact and sysLocation written over SNMP are announced as any change.
    params = ParamStore(environment.database, default_tree(),
                        Bus(environment.redis_url, source=contract.SERVICE))
    service = SnmpService(
        bus, environment, params,
        port=port("HERALD_SNMP_PORT", DEVICE_PORT if environment.is_device else HOST_PORT),
        trap_port=port("HERALD_SNMP_TRAP_PORT", TRAP_PORT))
    await serve_services(bus, {contract.SERVICE: service})


def main() -> None:
    run_daemon("herald-snmp", run)
