"""The herald-core process: the audio service on the bus (herald.audio.service),
with the sound card it plays and hears."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from herald.audio import contract as audio_contract
from herald.audio.clips import ClipStore
from herald.audio.link import socket_path
from herald.audio.service import AudioService
from herald.bus import AsyncBus
from herald.daemons import run_daemon, serve_service
from herald.environment import Environment
from herald.hal.audio_devices import load_audio_devices
from herald.params import ParamStore, default_tree

log = logging.getLogger("herald.core")


@contextlib.contextmanager
def sound_card(environment: Environment) -> Iterator[None]:
    """On a development host without a configured sound card, simulate one.

    The speaker then plays into <data>/soundcard/speaker.wav and the
    microphone hears <data>/soundcard/mic-scene.wav (see herald.simulation.sound_card).
    """
    if environment.is_device or os.environ.get("HERALD_AUDIO_CONFIG"):
        yield
        return
    from herald.simulation.sound_card import FileAudioDevices  # a device never loads it

    with FileAudioDevices(environment.data_dir / "soundcard") as card:
        os.environ.update(card.env)  # before anything opens ALSA
        log.info("simulated sound card: the speaker plays into %s", card.speaker_wav)
        yield


async def run(environment: Environment) -> None:
    with sound_card(environment):  # before anything opens ALSA
        bus = AsyncBus(environment.redis_url, source="core")
        params = ParamStore(environment.database, default_tree())
        clips = ClipStore(environment.data_dir / "clips", params)
        audio = AudioService(bus, load_audio_devices(), clips, socket_path(environment), params)
        await serve_service(bus, audio_contract.SERVICE, audio)


def main() -> None:
    run_daemon("herald-core", run)
