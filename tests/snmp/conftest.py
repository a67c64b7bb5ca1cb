"""herald-snmp as its own process on a private Redis and database, with a
trap receiver, as the device runs it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from herald.access import Level
from herald.bus import Bus
from herald.params import ParamStore, default_tree
from herald.snmp import contract
from herald.snmp.agent import engine_id
from tests.conftest import wait_until
from tests.daemon import daemon_env, start_daemon
from tests.snmp.netsnmp import V3_PASSWORD, TrapReceiver, free_udp_port

SERIAL = "00408C1814A0"
# What most tests run: every version on, the manual's communities but a
# write community of the site's own, one receiver that wants every trap.
EVERYTHING = {
    "SNMP.Enabled": "yes", "SNMP.V1": "yes", "SNMP.V2c": "yes", "SNMP.V3": "yes",
    "SNMP.V1WriteCommunity": "site-write", "SNMP.InitialUserPasswd": V3_PASSWORD,
    "SNMP.Trap.Enabled": "yes",
}
ALL_TRAPS = {f"SNMP.Trap.T.{t}.Enabled": "yes" for t in ("ColdStart", "WarmStart", "AuthFail")}


@dataclass
class Agent:
    port: int
    data: Path
    params: ParamStore
    bus: Bus
    process: subprocess.Popen
    log: Path
    traps: TrapReceiver

    def status(self) -> dict | None:
        return self.bus.state().get(contract.STATUS)

    def change(self, **settings: str) -> None:
        self.params.update({k.replace("_", "."): v for k, v in settings.items()}, Level.ADMIN)


def start_agent(directory: Path, redis_url: str, settings: Mapping[str, str],
                receiver: Mapping[str, str] | None, traps: TrapReceiver, port: int) -> Agent:
    data = directory / "data"
    (data / "identity").mkdir(parents=True)
    (data / "identity" / "serial").write_text(SERIAL + "\n")
    bus = Bus(redis_url, source="test")
    params = ParamStore(data / "db.sqlite3", default_tree(), bus)
    params.update(dict(settings), Level.ADMIN)
    if receiver is not None:
        params.add("snmptrap", "SNMP.Trap", {"SNMP.Trap.T.Address": "127.0.0.1", **receiver},
                   Level.ADMIN)
    log = directory / "snmp.log"
    process = start_daemon("herald.snmp", daemon_env(
        data, redis_url, HERALD_SNMP_PORT=str(port), HERALD_SNMP_TRAP_PORT=str(traps.port)), log)
    agent = Agent(port, data, params, bus, process, log, traps)

    def started() -> dict | None:
        if process.poll() is not None:
            pytest.fail(f"herald-snmp exited: {log.read_text()}")
        return agent.status()
    wait_until(started, what="herald-snmp to publish its status")
    return agent


@pytest.fixture
def make_agent(tmp_path: Path, own_redis_url: str) -> Iterator[Callable[..., Agent]]:
    """Start herald-snmp with `settings` (SNMP.* values) and one trap receiver
    (SNMP.Trap.T.* values, None: no receiver) listening in snmptrapd, on
    `port` (default: a free one)."""
    started: list[Agent] = []
    receivers: list[TrapReceiver] = []

    def make(settings: Mapping[str, str] = EVERYTHING,
             receiver: Mapping[str, str] | None = ALL_TRAPS, port: int | None = None) -> Agent:
        traps = TrapReceiver(tmp_path / "traps", engine_id(bytes.fromhex(SERIAL)).hex())
        receivers.append(traps)
        started.append(start_agent(tmp_path, own_redis_url, settings, receiver, traps,
                                   port or free_udp_port()))
        return started[-1]

    yield make
    for agent in started:
        agent.process.terminate()
        agent.process.wait(timeout=15)
    for traps in receivers:
        traps.close()


@pytest.fixture
def agent(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent()
