"""The herald-core process: start the services (audio, system), serve the bus,
stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterator

from herald.audio import contract as audio_contract
from herald.audio.clips import ClipStore
from herald.audio.link import socket_path
from herald.audio.service import AudioService
from herald.bus import AsyncBus
from herald.daemons import serve_until_stopped
from herald.environment import Environment, current
from herald.hal.audio_devices import load_audio_devices
from herald.memory import limit_malloc_arenas
from herald.params import ParamStore, default_tree
from herald.system import logs
from herald.system.service import SystemService

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
    bus = AsyncBus(environment.redis_url, source="core")
    params = ParamStore(environment.database, default_tree())
    clips = ClipStore(environment.data_dir / "clips", params)
    audio = AudioService(bus, load_audio_devices(), clips, socket_path(environment), params)
    await audio.start()
    system = SystemService(bus, environment)
    await system.start()
    log.info("herald-core running (%s mode, data in %s)", environment.mode,
             environment.data_dir)
    try:
        await serve_until_stopped(bus.serve(audio_contract.SERVICE, audio.handlers),
                                  "serve audio")
    finally:
        await system.stop()
        await audio.stop()
        await bus.close()
    log.info("herald-core stopped")


def main() -> None:
    limit_malloc_arenas()
    environment = current()
    logs.setup("herald-core", environment)
    with sound_card(environment):
        asyncio.run(run(environment))
