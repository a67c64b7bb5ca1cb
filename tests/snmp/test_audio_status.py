"""HERALD-MIB's audio objects follow the real audio service (herald-core on
a file-backed sound card) over the bus."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from herald.simulation.sound_card import FileAudioDevices
from tests.audio.conftest import Core, _run_core
from tests.audio.signals import RATE, encode, sine
from tests.conftest import wait_until
from tests.snmp.conftest import Agent
from tests.snmp.netsnmp import values

AUDIO = ".1.3.6.1.4.1.32473.1.1.2"
CLIP_PLAYING, CLIP_NAME, LIVE, VOLUME, MUTED = (f"{AUDIO}.{n}.0" for n in range(1, 6))
TRUE, FALSE = "1", "2"


@pytest.fixture
def core(tmp_path: Path, own_redis_url: str) -> Iterator[Core]:
    """herald-core on the agent's Redis: the audio service the agent asks."""
    (tmp_path / "core").mkdir()
    with FileAudioDevices(tmp_path / "soundcard") as card, \
            contextlib.contextmanager(_run_core)(tmp_path / "core", own_redis_url, card) as core:
        yield core


def audio_objects(agent: Agent) -> dict[str, str]:
    return values(agent.port, "2c", CLIP_PLAYING, CLIP_NAME, LIVE, VOLUME, MUTED)


def test_volume_mute_and_the_playing_clip_come_from_the_audio_service(
        core: Core, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(receiver=None)
    core.configure(output_gain=-20, output_mute=True)
    wait_until(lambda: (o := audio_objects(agent))[VOLUME] == "-20" and o[MUTED] == TRUE,
               what="the agent to tell the new volume and mute")
    assert audio_objects(agent)[CLIP_PLAYING] == FALSE

    clip = core.add_clip(encode(sine(440, 1.0), RATE, "wav"), "Doorbell.wav")
    core.call("play_clip", clip=clip, repeat=-1)
    playing = wait_until(lambda: (o := audio_objects(agent))[CLIP_PLAYING] == TRUE and o,
                         what="the agent to tell the clip that plays")
    assert playing[CLIP_NAME] == '"Doorbell"' and playing[LIVE] == FALSE
    core.call("stop_clip")
    wait_until(lambda: (o := audio_objects(agent))[CLIP_PLAYING] == FALSE and o[CLIP_NAME] == '""',
               what="the agent to tell that nothing plays")
