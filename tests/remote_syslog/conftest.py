"""herald-system as its own process on a private Redis and database, a
Herald process logging beside it, and real rsyslogd receivers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from herald.access import Level
from herald.bus import Bus
from herald.params import ParamStore, default_tree
from herald.system import contract
from tests.conftest import wait_until
from tests.daemon import daemon_env, start_daemon
from tests.remote_syslog.herald_process import HeraldProcess


@dataclass
class Device:
    data: Path
    params: ParamStore
    bus: Bus
    system: subprocess.Popen
    app: HeraldProcess
    log: Path

    def add_server(self, **fields: str) -> str:
        """A server as the page adds it; its group's name ("RemoteSyslog.S0")."""
        short = self.params.add(contract.SYSLOG_TEMPLATE, contract.SYSLOG_PARENT, {
            f"{contract.SYSLOG_PREFIX}.{name}": value for name, value in fields.items()},
            Level.ADMIN)
        return f"{contract.SYSLOG_PARENT}.{short}"

    def servers(self) -> dict[str, dict]:
        """The status herald-system publishes, by group."""
        status = self.bus.state().get(contract.REMOTE_SYSLOG) or {"servers": []}
        return {server["name"]: server for server in status["servers"]}

    def server(self, name: str, **wanted: object) -> dict:
        """Once the server's status has these values (herald-system took the settings)."""
        def matches() -> dict | None:
            if self.system.poll() is not None:
                pytest.fail(f"herald-system exited: {self.log.read_text()}")
            found = self.servers().get(name)
            return found if found and all(found[k] == v for k, v in wanted.items()) else None
        return wait_until(matches, what=f"{name} to be {wanted}")

    def stop(self) -> None:
        self.app.stop()
        self.system.terminate()
        self.system.wait(timeout=30)


@pytest.fixture
def device(tmp_path: Path, own_redis_url: str) -> Iterator[Device]:
    data = tmp_path / "data"
    (data / "identity").mkdir(parents=True)
    bus = Bus(own_redis_url, source="test")
    params = ParamStore(data / "db.sqlite3", default_tree(), bus)
    log = tmp_path / "herald-system.log"
    system = start_daemon("herald.system", daemon_env(data, own_redis_url), log)
    device = Device(data, params, bus, system, HeraldProcess("herald-web", data, own_redis_url),
                    log)
    try:
        wait_until(lambda: contract.REMOTE_SYSLOG in bus.state(),
                   what="herald-system to publish the remote syslog's status")
        yield device
    finally:
        device.stop()
