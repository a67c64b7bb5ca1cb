"""The real engine on a file-backed sound card: herald-core as its own process.

One sound card and one herald-core serve the whole session; `engine` gives
each test a core with default settings and nothing playing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from herald.access import Level
from herald.audio.clips import ClipStore
from herald.audio.contract import AudioSettings, params_from_settings
from herald.bus import EVENT_PREFIX, Bus, Event, ServiceUnavailable
from herald.params import ParamStore, default_tree
from herald.simulation.sound_card import FileAudioDevices
from tests.audio.webstack import AudioDevice, audio_device
from tests.conftest import redis_server, wait_until
from tests.daemon import daemon_env, start_daemon


class Events:
    """Every audio event and state change from now on, collected in the background."""

    def __init__(self, redis_url: str) -> None:
        self.pubsub = redis.Redis.from_url(redis_url).pubsub()
        self.pubsub.psubscribe(EVENT_PREFIX + "audio.*", EVENT_PREFIX + "state.audio.*")
        for _ in range(2):  # both subscriptions confirmed before anything is published
            self.pubsub.get_message(timeout=5)
        self.events: list[Event] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._collect, daemon=True)
        self.thread.start()

    def _collect(self) -> None:
        while not self.stopping.is_set():
            message = self.pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if message is not None:
                self.events.append(Event.decode(message["data"]))

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.pubsub.close()

    def of(self, topic: str, **match: Any) -> list[Event]:
        return [e for e in list(self.events) if e.topic == topic
                and all(e.data.get(k) == v for k, v in match.items())]

    def wait(self, topic: str, timeout: float = 15, **match: Any) -> Event:
        return wait_until(lambda: next(iter(self.of(topic, **match)), None), timeout,
                          what=f"event {topic} {match or ''}")

    def topics(self, prefix: str = "") -> list[str]:
        return [e.topic for e in list(self.events) if e.topic.startswith(prefix)]


@dataclass
class Core:
    """A running herald-core and the sound card it plays into."""

    bus: Bus
    card: FileAudioDevices
    clips: ClipStore
    params: ParamStore
    link: Path
    redis_url: str
    process: subprocess.Popen
    log: Path
    mark: int = field(default=0)

    def call(self, method: str, **params: Any) -> Any:
        return self.bus.call("audio", method, **params)

    def configure(self, **settings: Any) -> None:
        """Change audio parameters as the web admin does; wait until the engine follows."""
        self.params.update(params_from_settings(settings), Level.ADMIN)
        wait_until(lambda: all(self.status()["settings"][k] == v for k, v in settings.items()),
                   what=f"the engine to apply {settings}")

    def status(self) -> dict[str, Any]:
        return self.call("status")

    def events(self) -> Events:
        return Events(self.redis_url)

    def add_clip(self, data: bytes, filename: str) -> int:
        return self.clips.add(data, filename).id

    def wait_idle(self) -> None:
        """Nothing plays, the PCM is drained and the speaker has played all of it."""
        status = wait_until(lambda: (s := self.status())["output"]["idle"] and s,
                            what="the engine to go idle")
        written = status["output"]["frames_written"]
        wait_until(lambda: self.card.speaker_frames() >= written,
                   what="the speaker to play everything written")

    def start_listening(self) -> None:
        """Remember where the speaker is now; `heard` returns what it played after."""
        self.wait_idle()
        self.mark = self.card.speaker_frames()

    def heard(self) -> np.ndarray:
        self.wait_idle()
        return self.card.speaker_audio(self.mark)


@pytest.fixture(scope="package")
def sound_card(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileAudioDevices]:
    with FileAudioDevices(tmp_path_factory.mktemp("soundcard")) as card:
        yield card


@pytest.fixture(scope="package")
def core_process(sound_card: FileAudioDevices,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    """herald-core with a Redis of its own: no other area's service answers as "audio"."""
    data = tmp_path_factory.mktemp("data")
    with redis_server(tmp_path_factory.mktemp("redis")) as redis_url:
        yield from _run_core(data, redis_url, sound_card)


def _run_core(data: Path, redis_url: str, sound_card: FileAudioDevices) -> Iterator[Core]:
    log = data / "core.log"
    process = start_daemon("herald.core", daemon_env(data, redis_url, **sound_card.env), log)
    bus = Bus(redis_url, source="test")
    params = ParamStore(data / "db.sqlite3", default_tree(), bus)
    clips = ClipStore(data / "clips", params)
    core = Core(bus, sound_card, clips, params, data / "run" / "audio.sock", redis_url, process,
                log)

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"herald-core exited: {log.read_text()}")
        try:
            core.status()
        except ServiceUnavailable:
            return False
        return core.link.exists()

    try:
        wait_until(answers, timeout=30, what="herald-core to answer")
        yield core
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextlib.contextmanager
def core_on(directory: Path, redis_url: str) -> Iterator[Core]:
    """herald-core with a sound card of its own under `directory`, on `redis_url`
    (a test's own Redis, which the other daemons the test starts share)."""
    (directory / "core").mkdir()
    with FileAudioDevices(directory / "soundcard") as card, \
            contextlib.contextmanager(_run_core)(directory / "core", redis_url, card) as core:
        yield core


@pytest.fixture(scope="package")
def device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AudioDevice]:
    """The whole device (web, worker, core) on a sound card of its own."""
    with audio_device(tmp_path_factory.mktemp("device")) as whole:
        yield whole


@pytest.fixture
def engine(core_process: Core) -> Core:
    """herald-core with default settings and nothing playing."""
    core_process.call("stop_clip")
    core_process.call("stop_tone")
    for clip in core_process.clips.list():  # the store holds 50 clips at most
        core_process.clips.remove(clip.id)
    core_process.configure(**dataclasses.asdict(AudioSettings()))
    core_process.wait_idle()
    return core_process


@pytest.fixture
def events(engine: Core) -> Iterator[Events]:
    log = engine.events()
    yield log
    log.close()
