"""herald-mqtt as the device runs it, on a data directory of its own: what
the tests and bench/mqtt_publish.py start."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from herald.access import Level
from herald.bus import Bus
from herald.mqtt import contract
from herald.params import ParamStore, default_tree
from tests.conftest import wait_until
from tests.daemon import daemon_env, start_daemon
from tests.mqtt.broker import HOST, PASSWORD, USER, Mosquitto

SERIAL = "00408C1814A0"
PREFIX = f"axis/{SERIAL}"


def plain(broker: Mosquitto, **more: str) -> dict[str, str]:
    """Settings for the broker's plain listener, with its credentials."""
    return {"MQTT.Client.Enabled": "yes", "MQTT.Client.Host": HOST,
            "MQTT.Client.Port": str(broker.plain_port), "MQTT.Client.Username": USER,
            "MQTT.Client.Password": PASSWORD, **more}


@dataclass
class Client:
    """herald-mqtt, as the device runs it."""

    data: Path
    params: ParamStore
    bus: Bus
    process: subprocess.Popen
    log: Path
    redis_url: str

    def status(self) -> dict | None:
        return self.bus.state().get(contract.STATUS)

    def wait_for(self, state: str, reason: str = "") -> dict:
        def reached() -> dict | None:
            if self.process.poll() is not None:
                pytest.fail(f"herald-mqtt exited: {self.log.read_text()}")
            status = self.status()
            return status if status and status["state"] == state and reason in status[
                "reason"] else None
        return wait_until(reached, what=f"the MQTT client to be {state} {reason}".strip())

    def change(self, settings: Mapping[str, str]) -> None:
        self.params.update(dict(settings), Level.ADMIN)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def restart(self) -> None:
        """A new process on the same data (after `kill`), as systemd would start it."""
        self.process, _ = run_client(self.data, self.redis_url)


def run_client(data: Path, redis_url: str) -> tuple[subprocess.Popen, Path]:
    log = data.parent / "mqtt.log"
    return start_daemon("herald.mqtt", daemon_env(data, redis_url), log), log


def start_client(data: Path, redis_url: str, settings: Mapping[str, str],
                 certs: tuple[Path, ...] = ()) -> Client:
    """herald-mqtt on a device's data directory holding `settings` (MQTT.*
    values) and `certs` (files put in its certificate folder, as an upload would)."""
    (data / "identity").mkdir(parents=True, exist_ok=True)
    (data / "identity" / "serial").write_text(SERIAL + "\n")
    (data / "certs").mkdir(exist_ok=True)
    for file in certs:
        shutil.copy(file, data / "certs" / file.name)
    bus = Bus(redis_url, source="test")
    params = ParamStore(data / "db.sqlite3", default_tree(), bus)
    params.update(dict(settings), Level.ADMIN)
    process, log = run_client(data, redis_url)
    client = Client(data, params, bus, process, log, redis_url)
    wait_until(client.status, what="herald-mqtt to publish its status")
    return client


def mqtt_values(store: ParamStore) -> dict[str, str]:
    """Every MQTT.* parameter's stored value (secrets too): what a refused
    request must leave as it was."""
    snapshot = store.snapshot()
    return {r.name: snapshot.value(r) for r in snapshot.tree.concrete(snapshot.instances)
            if r.name.startswith("MQTT.")}
