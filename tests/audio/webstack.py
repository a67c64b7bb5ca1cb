"""A whole device for audio tests: web, worker and core on a file-backed sound card."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from herald.simulation.sound_card import FileAudioDevices
from tests.conftest import redis_server, wait_until
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import HeraldStack


@dataclass
class AudioDevice:
    stack: HeraldStack
    card: FileAudioDevices
    mark: int = 0

    def call(self, method: str, **params: object) -> object:
        return self.stack.bus().call("audio", method, **params)

    def start_listening(self) -> None:
        self.wait_idle()
        self.mark = self.card.speaker_frames()

    def wait_idle(self) -> None:
        status = wait_until(lambda: (s := self.call("status"))["output"]["idle"] and s,
                            what="the engine to go idle")
        written = status["output"]["frames_written"]
        wait_until(lambda: self.card.speaker_frames() >= written,
                   what="the speaker to play everything written")

    def heard(self) -> np.ndarray:
        self.wait_idle()
        return self.card.speaker_audio(self.mark)

    def clip_files(self) -> list[str]:
        clips = self.stack.data_dir / "clips"
        return sorted(p.name for p in clips.iterdir() if p.name != ".lock") if clips.exists() \
            else []


@contextmanager
def audio_device(directory: Path, timeline: bool = False) -> Iterator[AudioDevice]:
    """Web, worker and core on a file-backed sound card; `timeline` logs when each
    sample was played (for latency benchmarks)."""
    (directory / "redis").mkdir()
    with FileAudioDevices(directory / "soundcard", timeline=timeline) as card, \
            redis_server(directory / "redis") as redis_url:
        stack = HeraldStack(directory / "data", redis_url, extra_env=card.env)
        try:
            stack.start()
            set_up_accounts(stack)
            stack.start_core()
            yield AudioDevice(stack, card)
        finally:
            stack.stop()


UPLOAD = "/axis-cgi/mediaclip.cgi?action=upload&media=audio"


def upload(device: AudioDevice, data: bytes, filename: str, role: str = "operator",
           name: str | None = None) -> httpx.Response:
    url = UPLOAD + (f"&name={name}" if name else "")
    with device.stack.vapix(device.stack.accounts[role]) as client:
        return client.post(url, files={"file": (filename, data, "audio/basic")})


def uploaded_id(reply: httpx.Response) -> int:
    assert reply.status_code == 200, reply.text
    lines = reply.text.split()
    assert lines[0] == "OK"
    return int(lines[1].removeprefix("Uploaded="))
