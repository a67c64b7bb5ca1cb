"""herald-mqtt as its own process on a private Redis and database, beside a
mosquitto the test starts."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from herald.access import Level
from herald.bus import Bus
from herald.mqtt import contract
from herald.params import ParamStore, default_tree
from herald.simulation.sound_card import FileAudioDevices
from tests.audio.conftest import Core, _run_core
from tests.conftest import REPO, wait_until
from tests.mqtt.broker import HOST, PASSWORD, USER, BrokerCa, Mosquitto, Subscriber
from tests.webadmin.stack import HeraldStack

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


@pytest.fixture
def core(tmp_path: Path, own_redis_url: str) -> Iterator[Core]:
    """herald-core (audio and events) on the client's Redis: the events it publishes."""
    (tmp_path / "core").mkdir()
    with FileAudioDevices(tmp_path / "soundcard") as card, \
            contextlib.contextmanager(_run_core)(tmp_path / "core", own_redis_url, card) as core:
        yield core
        card.set_scene(np.zeros(4800, dtype=np.float32), 48000)


@pytest.fixture
def ca(tmp_path: Path) -> BrokerCa:
    return BrokerCa(tmp_path / "pki", "Broker CA")


@pytest.fixture
def broker(tmp_path: Path, ca: BrokerCa) -> Iterator[Mosquitto]:
    directory = tmp_path / "broker"
    directory.mkdir()
    server = Mosquitto(directory, ca)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def subscribe(broker: Mosquitto) -> Iterator[Callable[..., Subscriber]]:
    made: list[Subscriber] = []

    def make(*topics: str) -> Subscriber:
        made.append(Subscriber(broker, *topics))
        return made[-1]

    yield make
    for subscriber in made:
        subscriber.close()


def run_client(data: Path, redis_url: str) -> tuple[subprocess.Popen, Path]:
    log = data.parent / "mqtt.log"
    env = {**os.environ, "HERALD_MODE": "development", "HERALD_DATA_DIR": str(data),
           "REDIS_URL": redis_url, "PYTHONPATH": str(REPO / "firmware")}
    with open(log, "ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "herald.mqtt"], env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    return process, log


@pytest.fixture
def make_client(tmp_path: Path, own_redis_url: str) -> Iterator[Callable[..., Client]]:
    """Start herald-mqtt with `settings` (MQTT.* values); `certs`: files put in
    the device's certificate folder (as an upload would)."""
    started: list[Client] = []

    def make(settings: Mapping[str, str], certs: tuple[Path, ...] = ()) -> Client:
        data = tmp_path / "data"
        (data / "identity").mkdir(parents=True, exist_ok=True)
        (data / "identity" / "serial").write_text(SERIAL + "\n")
        (data / "certs").mkdir(exist_ok=True)
        for file in certs:
            shutil.copy(file, data / "certs" / file.name)
        bus = Bus(own_redis_url, source="test")
        params = ParamStore(data / "db.sqlite3", default_tree(), bus)
        params.update(dict(settings), Level.ADMIN)
        process, log = run_client(data, own_redis_url)
        started.append(Client(data, params, bus, process, log, own_redis_url))
        wait_until(started[-1].status, what="herald-mqtt to publish its status")
        return started[-1]

    yield make
    for client in started:
        if client.process.poll() is None:
            client.process.terminate()
            client.process.wait(timeout=15)


@pytest.fixture
def beside_stack(herald: HeraldStack) -> Iterator[ParamStore]:
    """herald-mqtt beside the test stack's web admin, as on the device; the
    stack's parameters, put back as they were (off) afterwards."""
    with open(herald.out_dir / "mqtt.log", "ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "herald.mqtt"], env=herald.env,
                                   stdout=output, stderr=subprocess.STDOUT)
    store = ParamStore(herald.data_dir / "db.sqlite3", default_tree(), herald.bus())
    before = mqtt_values(store)
    try:
        yield store
    finally:
        store.update(before, Level.ADMIN)
        process.terminate()
        process.wait(timeout=15)


def mqtt_values(store: ParamStore) -> dict[str, str]:
    """Every MQTT.* parameter's stored value (secrets too): what a refused
    request must leave as it was."""
    snapshot = store.snapshot()
    return {r.name: snapshot.value(r) for r in snapshot.tree.concrete(snapshot.instances)
            if r.name.startswith("MQTT.")}
