"""The audio service's calls on the bus: health, refusals, parameters followed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from herald.access import Level
from herald.audio.contract import AudioStatus
from herald.bus import Bus, CallFailed, ServiceUnavailable
from herald.params import ParamStore, default_tree
from herald.simulation.sound_card import die_with_parent
from tests.audio.conftest import Core
from tests.conftest import REPO, redis_server, wait_until


def test_ping_says_the_devices_are_open(engine: Core) -> None:
    assert engine.call("ping") == {"ok": True}
    status = engine.status()
    assert status["output"]["device"] == "herald_speaker"
    assert status["input"]["device"] == "herald_mic"
    assert status["output"]["error"] is None and status["input"]["error"] is None


@pytest.mark.parametrize(("params", "words"), [
    ({"clip": 999999}, "there is no clip 999999"),
    ({"clip": "1"}, "clip must be a whole number"),
    ({"clip": 0, "volume": 1001}, "volume must be a whole number from 0 to 1000"),
    ({"clip": 0, "repeat": -2}, "repeat must be a whole number from -1"),
    ({"clip": 0, "loudness": 3}, "unexpected keyword argument 'loudness'"),
])
def test_bad_play_requests_are_refused_clearly(engine: Core, params: dict, words: str) -> None:
    with pytest.raises(CallFailed) as refused:
        engine.call("play_clip", **params)
    assert words in str(refused.value)
    assert engine.status()["playing"] == []


def test_bad_tones_are_refused(engine: Core) -> None:
    for params in ({"frequency": 5}, {"seconds": 0}, {"level": 3}):
        with pytest.raises(CallFailed, match=r"out of range|more than 0|-60 to 0"):
            engine.call("play_tone", **params)


def test_the_engine_follows_parameter_changes(engine: Core) -> None:
    engine.params.update({"AudioSource.A0.OutputGain": "-30", "Audio.PriorityRule": "duck"},
                         Level.ADMIN)
    wait_until(lambda: engine.status()["settings"]["output_gain"] == -30, what="the new gain")
    assert engine.status()["settings"]["priority_rule"] == "duck"
    engine.params.reset()  # factory default
    wait_until(lambda: engine.status()["settings"]["output_gain"] == -6, what="the default gain")


def test_a_setting_stored_without_an_announcement_still_takes_effect(engine: Core) -> None:
    """A change stored while the bus could not announce it (Redis frozen or
    restarting at that moment) reaches the engine from the database all the same."""
    unannounced = ParamStore(engine.params.database, default_tree())  # no bus to announce on
    unannounced.update({"AudioSource.A0.OutputGain": "-24"}, Level.ADMIN)
    wait_until(lambda: engine.status()["settings"]["output_gain"] == -24, timeout=20,
               what="the engine to pick the stored gain up from the database")


def test_a_development_core_simulates_its_own_sound_card(tmp_path) -> None:
    """scripts/dev runs herald-core with no sound card set up: it makes a simulated one."""
    (tmp_path / "redis").mkdir()
    with redis_server(tmp_path / "redis") as url:
        env = {k: v for k, v in os.environ.items()
               if k not in ("HERALD_AUDIO_CONFIG", "ALSA_CONFIG_PATH", "HERALD_RUN_DIR")}
        env.update(HERALD_MODE="development", HERALD_DATA_DIR=str(tmp_path / "data"),
                   REDIS_URL=url, PYTHONPATH=str(REPO / "firmware"))
        core = subprocess.Popen([sys.executable, "-m", "herald.core"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=die_with_parent)
        bus = Bus(url)

        def ping() -> dict | None:
            try:
                return bus.call("audio", "ping", timeout=1)
            except ServiceUnavailable:
                return None

        try:
            assert wait_until(ping, what="the development core") == {"ok": True}
            bus.call("audio", "play_tone", seconds=0.2)
            speaker = tmp_path / "data" / "soundcard" / "speaker.wav"
            wait_until(lambda: speaker.exists() and speaker.stat().st_size > 48000 * 2 * 0.2,
                       what="the simulated speaker to play the tone")
        finally:
            core.terminate()
            assert core.wait(timeout=20) == 0


def test_the_status_says_what_plays_in_words(engine: Core) -> None:
    """The restart into new firmware waits while the speaker plays, and the
    Maintenance page names what it waits for from this status."""
    def playing() -> list[str]:
        return [str(voice) for voice in AudioStatus.from_dict(engine.status()).playing]

    assert playing() == []
    engine.call("play_tone", frequency=440, seconds=30, level=-20)
    assert playing() == ["tone of 440 Hz"]
    engine.call("stop_tone")
    wait_until(lambda: playing() == [], what="the tone to stop")
