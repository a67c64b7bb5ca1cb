"""The herald-core process: the audio service (herald.audio.service) with the
sound card it plays and hears, the recordings service that records it, the
events service whose rules play on it, and the board's control button and
microphone switch (herald.core.board), and the light service on its status LED."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Iterator

from herald.audio import contract as audio_contract
from herald.audio.clips import ClipStore
from herald.audio.link import socket_path
from herald.audio.service import AudioService
from herald.bus import AsyncBus
from herald.core.board import parts, publish_motion
from herald.core.control_button import ControlButton
from herald.daemons import run_daemon, serve_services
from herald.environment import Environment
from herald.events import contract as events_contract
from herald.events.service import EventsService
from herald.events.store import RuleStore
from herald.hal.audio_devices import load_audio_devices
from herald.hal.button import Button
from herald.hal.led import StatusLED
from herald.light import contract as light_contract
from herald.light.service import LightService
from herald.light.store import ProfileStore
from herald.params import ParamStore, default_tree
from herald.recordings import contract as recordings_contract
from herald.recordings.service import RecordingsService
from herald.recordings.store import RecordingStore

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
    link = socket_path(environment)
    board = parts(environment)
    audio = AudioService(bus, load_audio_devices(), clips, link, params, board.mic_switch)
    led = board.led
    if board.button is not None:
        button = control_button(board.button, board.led)
        await button.attach(audio, bus)
        if button.at_power_on:
            led = None  # the factory default's amber is the control button's to show
    if board.motion_sensor is not None:
        await publish_motion(board.motion_sensor, bus)
    recordings = RecordingsService(
        bus, RecordingStore(environment.database, environment.data_dir), params, link)
    light = LightService(bus, ProfileStore(environment.data_dir / "light" / "profiles.json"),
                         led)
    events = EventsService(bus, RuleStore(environment.database), audio, recordings, light,
                           params)
    await serve_services(bus, {audio_contract.SERVICE: audio,
                               light_contract.SERVICE: light,
                               recordings_contract.SERVICE: recordings,
                               events_contract.SERVICE: events})


@functools.cache
def control_button(button: Button, led: StatusLED | None) -> ControlButton:
    """Made once: a button held at power-on is seen at the first run only."""
    return ControlButton(button, led)


def main() -> None:
    run_daemon("herald-core", run, around=sound_card)  # the card before anything opens ALSA
