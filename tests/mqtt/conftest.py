"""herald-mqtt as its own process on a private Redis and database, beside a
mosquitto the test starts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pytest

from herald.access import Level
from herald.params import ParamStore, default_tree
from tests.audio.conftest import Core, core_on
from tests.daemon import start_daemon
from tests.mqtt.broker import BrokerCa, Mosquitto, Subscriber
from tests.mqtt.device import Client, mqtt_values, start_client
from tests.webadmin.stack import HeraldStack


@pytest.fixture
def core(tmp_path: Path, own_redis_url: str) -> Iterator[Core]:
    """herald-core (audio and events) on the client's Redis: the events it publishes."""
    with core_on(tmp_path, own_redis_url) as core:
        yield core
        core.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)


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


@pytest.fixture
def make_client(tmp_path: Path, own_redis_url: str) -> Iterator[Callable[..., Client]]:
    """Start herald-mqtt (start_client) in the test's directory."""
    started: list[Client] = []

    def make(settings: Mapping[str, str], certs: tuple[Path, ...] = ()) -> Client:
        started.append(start_client(tmp_path / "data", own_redis_url, settings, certs))
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
    process = start_daemon("herald.mqtt", herald.env, herald.out_dir / "mqtt.log")
    store = ParamStore(herald.data_dir / "db.sqlite3", default_tree(), herald.bus())
    before = mqtt_values(store)
    try:
        yield store
    finally:
        store.update(before, Level.ADMIN)
        process.terminate()
        process.wait(timeout=15)
