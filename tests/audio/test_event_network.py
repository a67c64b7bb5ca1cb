"""The network as event sources: herald-system, in a network namespace of its
own where the test makes a veth pair, tells the interfaces; the events
service turns a lost link into "Network lost" for that interface and a new
or removed IP address into "IP address added" or "removed", which rules use.
The recordings service's running recording is the "Recording" state."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.events import contract as events
from herald.recordings import contract as recordings
from herald.system import contract as system
from tests.audio.conftest import Core, core_on
from tests.conftest import REPO, wait_until

ADDRESS = "192.0.2.10"


@pytest.fixture
def core(tmp_path: Path, own_redis_url: str) -> Iterator[Core]:
    with core_on(tmp_path, own_redis_url) as core:
        yield core


@pytest.fixture
def netns_system(tmp_path: Path, own_redis_url: str) -> Iterator[subprocess.Popen]:
    """herald-system alone in a new network namespace (only loopback, down)."""
    data = tmp_path / "system"
    data.mkdir()
    env = {**os.environ, "HERALD_MODE": "development", "HERALD_DATA_DIR": str(data),
           "REDIS_URL": own_redis_url, "PYTHONPATH": str(REPO / "firmware")}
    with open(tmp_path / "system.log", "wb") as output:
        process = subprocess.Popen(["unshare", "--net", sys.executable, "-m", "herald.system"],
                                   env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


def in_namespace(process: subprocess.Popen, *command: str) -> None:
    subprocess.run(["nsenter", "--target", str(process.pid), "--net", "ip", *command],
                   check=True, capture_output=True, timeout=10)


def add_rule(core: Core, name: str, trigger: dict) -> None:
    answer = core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": name, "trigger": trigger, "action": {"kind": events.STOP_CLIP}})
    assert answer["ok"], answer


def runs(core: Core) -> dict[str, float | None]:
    return {r["name"]: r["last_run"]
            for r in core.bus.call(events.SERVICE, events.LIST_RULES)["rules"]}


def state(core: Core, kind: events.EventType, source: str) -> object:
    return next((s["value"] for s in core.bus.call(events.SERVICE, events.STATES)["states"]
                 if (s["topic"], s["source"]) == (kind.topic, source)), None)


def test_a_lost_link_and_a_new_address_are_events_for_rules(core, netns_system):
    add_rule(core, "Address", {"topic": events.ADDRESS_ADDED.topic, "source": "h0",
                               "value": ADDRESS})
    add_rule(core, "Other address", {"topic": events.ADDRESS_ADDED.topic,
                                     "value": "198.51.100.1"})
    in_namespace(netns_system, "link", "add", "h0", "type", "veth", "peer", "name", "h1")
    wait_until(lambda: state(core, events.NETWORK_LOST, "h0") is True,
               what="h0, without a link, to be lost")
    in_namespace(netns_system, "link", "set", "h0", "up")
    in_namespace(netns_system, "link", "set", "h1", "up")
    wait_until(lambda: state(core, events.NETWORK_LOST, "h0") is False,
               what="h0's link to be up")
    assert runs(core)["Address"] is None
    in_namespace(netns_system, "address", "add", f"{ADDRESS}/24", "dev", "h0")
    wait_until(lambda: runs(core)["Address"] is not None, what="the address rule to run")
    assert runs(core)["Other address"] is None

    add_rule(core, "Lost", {"topic": events.NETWORK_LOST.topic, "source": "h0"})
    assert runs(core)["Lost"] is None  # the link is up
    in_namespace(netns_system, "link", "set", "h1", "down")  # the cable pulled
    wait_until(lambda: runs(core)["Lost"] is not None, what="the network lost rule to run")
    assert state(core, events.NETWORK_LOST, "h0") is True
    instances = {t["topic"] for t in core.bus.call(events.SERVICE, events.INSTANCES)["instances"]}
    assert {events.NETWORK_LOST.topic, events.ADDRESS_ADDED.topic,
            events.ADDRESS_REMOVED.topic, events.RECORDING.topic} <= instances
    assert system.NETWORK in core.bus.state()


def test_a_running_recording_is_the_recording_state(core):
    add_rule(core, "Recording", {"topic": events.RECORDING.topic, "source": "data"})
    started = core.bus.call(recordings.SERVICE, recordings.START, storage="data", by="test")
    assert started["ok"], started
    try:
        wait_until(lambda: runs(core)["Recording"] is not None,
                   what="the rule on a running recording to run")
        assert state(core, events.RECORDING, "data") is True
    finally:
        core.bus.call(recordings.SERVICE, recordings.STOP, by="test")
    wait_until(lambda: state(core, events.RECORDING, "data") is False,
               what="the recording state to end")
