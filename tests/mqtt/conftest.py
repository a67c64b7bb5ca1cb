"""herald-mqtt as its own process on a private Redis and database, beside a
mosquitto the test starts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx
import numpy as np
import pytest

from herald.access import Level
from herald.mqtt.contract import SUBSCRIPTIONS
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
    stack's parameters, put back as they were (off) afterwards, without the
    subscriptions the test made."""
    process = start_daemon("herald.mqtt", herald.env, herald.out_dir / "mqtt.log")
    store = ParamStore(herald.data_dir / "db.sqlite3", default_tree(), herald.bus())

    def subscriptions() -> set[str]:
        return {i for i in store.snapshot().instances if i.startswith(SUBSCRIPTIONS + ".")}

    before, had = mqtt_values(store), subscriptions()
    try:
        yield store
    finally:
        if made := subscriptions() - had:
            store.remove(sorted(made), Level.ADMIN)
        now = mqtt_values(store)
        store.update({name: value for name, value in before.items() if name in now},
                     Level.ADMIN)
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def admin(herald: HeraldStack) -> Iterator[httpx.Client]:
    """A VAPIX client as the stack's administrator."""
    with herald.vapix(herald.accounts["admin"]) as client:
        yield client
