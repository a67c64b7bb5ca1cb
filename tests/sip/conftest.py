"""herald-sip as its own process on a private Redis and database, in a
network namespace with a SIP phone (a second baresip) to call it."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from herald.access import Level
from herald.bus import EVENT_PREFIX, Bus, Event, state_event
from herald.params import ParamStore, default_tree
from herald.simulation.sound_card import die_with_parent
from herald.sip import contract
from tests.conftest import wait_until
from tests.daemon import daemon_env
from tests.sip.netns import ADDRESS, Namespace
from tests.sip.peer import Peer
from tests.sip.registrar import REGISTRAR_PORT, Registrar
from tests.webadmin.stack import HeraldStack

SIP_PORT, RTP_FIRST = 5060, 4000  # the device's, inside the test's own namespace
PEER_PORT, PEER_RTP = 5062, 4200


@pytest.fixture
def namespace(tmp_path: Path) -> Iterator[Namespace]:
    made = Namespace(tmp_path)
    yield made
    made.close()


@pytest.fixture
def peer(namespace: Namespace, tmp_path: Path) -> Iterator[Peer]:
    phone = Peer(namespace, tmp_path / "peer", PEER_PORT, PEER_RTP)
    yield phone
    phone.close()


@pytest.fixture
def srtp_peer(namespace: Namespace, tmp_path: Path) -> Iterator[Peer]:
    """A phone that encrypts its media or makes no call (SRTP required, keys in the SDP)."""
    phone = Peer(namespace, tmp_path / "srtp-peer", PEER_PORT + 10, PEER_RTP + 100,
                 ";mediaenc=srtp-mand")
    yield phone
    phone.close()


@pytest.fixture
def registrar(namespace: Namespace) -> Iterator[Registrar]:
    """A SIP server that knows user 1001 with the password s3cret-Pass."""
    server = Registrar(namespace, REGISTRAR_PORT, {"1001": "s3cret-Pass"})
    yield server
    server.close()


class Heard:
    """The data of every event of `topic` on the bus, from now on."""

    def __init__(self, redis_url: str, topic: str) -> None:
        self.pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(EVENT_PREFIX + topic)
        self.data: list[dict] = []
        self.failed: Exception | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        try:
            while not self.stopping.is_set():
                message = self.pubsub.get_message(timeout=0.2)
                if message:
                    self.data.append(Event.decode(message["data"]).data)
        except Exception as exc:  # said by wait_for, not lost with the thread
            self.failed = exc
            raise

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.pubsub.close()


class CallStates(Heard):
    """Every state the call goes through, as the bus announces them."""

    def __init__(self, redis_url: str) -> None:
        super().__init__(redis_url, state_event(contract.CALL))

    @property
    def seen(self) -> list[contract.SipCall]:
        return [contract.SipCall.from_dict(d["value"]) for d in list(self.data)
                if d.get("value")]

    def states(self) -> list[str]:
        return [call.state for call in self.seen]

    def wait_for(self, state: str) -> contract.SipCall:
        return wait_until(lambda: next((c for c in self.seen if c.state == state), None),
                          what=f"the call to be {state} (so far: {self.states()}; "
                               f"listener failed: {self.failed})")


@dataclass
class Device:
    """herald-sip as the device runs it, in the namespace."""

    data: Path
    params: ParamStore
    bus: Bus
    process: subprocess.Popen
    log: Path
    calls: CallStates
    uri: str = field(init=False)

    def __post_init__(self) -> None:
        self.uri = f"sip:herald@{ADDRESS}:{SIP_PORT}"

    def status(self) -> contract.SipStatus | None:
        raw = self.bus.state().get(contract.STATUS)
        return contract.SipStatus.from_dict(raw) if raw else None

    def wait_status(self, running: bool, reason: str = "") -> contract.SipStatus:
        def reached() -> contract.SipStatus | None:
            if self.process.poll() is not None:
                pytest.fail(f"herald-sip exited: {self.log.read_text()}")
            status = self.status()
            return status if status and status.running == running and reason in status.reason \
                else None
        return wait_until(reached, what=f"herald-sip running={running} {reason}".strip())

    def call(self, method: str, **params: object) -> object:
        return self.bus.call(contract.SERVICE, method, **params)

    def change(self, settings: Mapping[str, str]) -> None:
        self.params.update(dict(settings), Level.ADMIN)


def run_sip(namespace: Namespace, env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """herald-sip in the namespace, on `env`'s data directory and Redis; calls
    offer the namespace's loopback address for audio."""
    with open(log, "ab") as out:
        return subprocess.Popen(namespace.command(sys.executable, "-m", "herald.sip"),
                                env={**env, "HERALD_SIP_INTERFACE": "lo"}, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)


@pytest.fixture
def start_device(namespace: Namespace, tmp_path: Path, own_redis_url: str
                 ) -> Iterator[Callable[..., Device]]:
    """Start herald-sip with SIP.* `settings` (SIP on, on the namespace's ports)."""
    started: list[Device] = []

    def start(settings: Mapping[str, str] = {}) -> Device:
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        bus = Bus(own_redis_url, source="test")
        params = ParamStore(data / "db.sqlite3", default_tree(), bus)
        params.update({"SIP.Enabled": "yes", "SIP.Port": str(SIP_PORT),
                       "SIP.RTPStartPort": str(RTP_FIRST), **settings}, Level.ADMIN)
        log = tmp_path / "sip.log"
        process = run_sip(namespace, daemon_env(data, own_redis_url), log)
        device = Device(data, params, bus, process, log, CallStates(own_redis_url))
        started.append(device)
        return device

    yield start
    for device in started:
        device.calls.close()
        if device.process.poll() is None:
            device.process.terminate()
            device.process.wait(timeout=15)


STACK_SETTINGS = {"SIP.Enabled": "yes", "SIP.Port": str(SIP_PORT),
                  "SIP.PeerToPeer.AutoAnswer": "no"}


@pytest.fixture
def beside_stack(herald: HeraldStack, namespace: Namespace) -> Iterator[ParamStore]:
    """herald-sip (herald.processes["sip"], for a test that stops it) on the
    stack's settings, which are put back as they were after (SIP off), without
    the DTMF sequences and accounts the test added."""
    store = ParamStore(herald.data_dir / "db.sqlite3", default_tree(), herald.bus())

    def sip_values() -> dict[str, str]:
        snapshot = store.snapshot()
        return {r.name: snapshot.value(r) for r in snapshot.tree.concrete(snapshot.instances)
                if r.name.startswith("SIP.") and not r.instance}

    def made_groups() -> set[str]:
        return {i for i in store.snapshot().instances
                if i.startswith((contract.DTMF_SEQUENCES + ".", contract.ACCOUNTS + "."))}

    before, had = sip_values(), made_groups()
    store.update(STACK_SETTINGS, Level.ADMIN)
    process = herald.processes["sip"] = run_sip(namespace, herald.env,
                                                 herald.out_dir / "sip.log")
    try:
        # A call made before baresip listens is refused: wait for herald-sip to say it runs.
        wait_until(lambda: (herald.bus().state().get(contract.STATUS) or {}).get("running"),
                   what="herald-sip beside the stack to say SIP runs")
        yield store
    finally:
        if made := made_groups() - had:
            store.remove(sorted(made), Level.ADMIN)
        store.update(before, Level.ADMIN)
        wait_until(lambda: (herald.bus().state().get(contract.STATUS) or {}).get("running")
                   is False, what="herald-sip to say SIP is off")
        del herald.processes["sip"]
        process.terminate()
        process.wait(timeout=15)
