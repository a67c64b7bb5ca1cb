"""The microphone: levels, sound-level detection and listening, from the file-backed mic."""

from __future__ import annotations

import numpy as np
import pytest

from herald.audio import contract as audio
from herald.audio.g711 import ulaw_decode
from herald.audio.link import CaptureClient, LinkError
from herald.audio.pcm import s16_to_float
from herald.audio.service import INPUT
from herald.bus import state_event
from tests.audio.conftest import Core, Events
from tests.audio.signals import dominant_frequency, sine
from tests.conftest import wait_until


def scene(quiet_dbfs: float, loud_dbfs: float) -> np.ndarray:
    """A second of near-silence, then a second of 1 kHz at `loud_dbfs`, looped by the mic."""
    quiet = sine(1000, 1.0, amplitude=10 ** (quiet_dbfs / 20))
    loud = sine(1000, 1.0, amplitude=10 ** (loud_dbfs / 20))
    return np.concatenate([quiet, loud])


@pytest.fixture
def mic(engine: Core) -> Core:
    engine.card.set_scene(scene(-60, -10), 48000)
    yield engine
    engine.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)


def test_levels_and_threshold_crossings(mic: Core, events: Events) -> None:
    mic.configure(sound_level_threshold=60)  # -36 dBFS
    above = events.wait(audio.SOUND_LEVEL_CROSSED, direction="above")
    below = events.wait(audio.SOUND_LEVEL_CROSSED, direction="below")
    assert above.data["threshold"] == 60 and above.data["level"] > 60
    assert below.data["level"] < 60
    levels = [e.data["level"] for e in events.of(audio.LEVEL_INPUT)]
    # -10 dBFS is 89 %, -60 dBFS 33 % (windows across a change fall in between).
    assert np.median([v for v in levels if v > 60]) == pytest.approx(88.9, abs=0.5)
    assert np.median([v for v in levels if v < 60]) == pytest.approx(33.3, abs=0.5)
    states = events.of(state_event(audio.sound_level_triggered(INPUT)))
    assert [s.data["value"] for s in states][:2] in ([True, False], [False, True])
    assert mic.status()["input"]["enabled"] is True


def test_threshold_above_the_loudest_sound_never_triggers(mic: Core, events: Events) -> None:
    mic.configure(sound_level_threshold=95)
    wait_until(lambda: len(events.of(audio.LEVEL_INPUT)) >= 25, what="2.5 s of levels")
    assert events.of(audio.SOUND_LEVEL_CROSSED) == []


def test_input_gain_and_mute_change_the_level(mic: Core, events: Events) -> None:
    def heard(level: float) -> bool:
        return any(abs(e.data["level"] - level) < 1 for e in events.of(audio.LEVEL_INPUT))

    mic.card.set_scene(sine(1000, 0.5, amplitude=10 ** (-40 / 20)), 48000)
    wait_until(lambda: heard(55.6), what="a level of -40 dBFS")
    mic.configure(input_gain=20)
    wait_until(lambda: heard(77.8), what="20 dB more")
    mic.configure(input_mute=True)
    wait_until(lambda: heard(0), what="silence")


def test_listening_gets_the_microphone(mic: Core) -> None:
    mic.card.set_scene(sine(700, 0.5, amplitude=0.5), 48000)
    with CaptureClient(mic.link, "s16le", 16000) as client:
        assert client.info["content_type"] == "audio/L16"
        data = b""
        while len(data) < 32000:  # a second
            data += client.read(4096)
    samples = s16_to_float(np.frombuffer(data[:32000], dtype="<i2"))
    assert dominant_frequency(samples[8000:], 16000) == pytest.approx(700, rel=0.003)
    with CaptureClient(mic.link, "mulaw", 8000) as client:
        assert client.info["content_type"] == "audio/basic"
        data = b""
        while len(data) < 8000:
            data += client.read(4096)
    samples = s16_to_float(ulaw_decode(data[:8000]))
    assert dominant_frequency(samples[2000:], 8000) == pytest.approx(700, rel=0.003)


def test_input_off_stops_levels_and_listening(mic: Core, events: Events) -> None:
    mic.configure(input_enabled=False)
    assert mic.status()["input"]["enabled"] is False
    with pytest.raises(LinkError) as refused:
        CaptureClient(mic.link, "s16le", 16000)
    assert refused.value.status == 503 and "turned off" in str(refused.value)
    with pytest.raises(LinkError) as bad:
        CaptureClient(mic.link, "opus", 16000)
    assert bad.value.status == 400
    mic.configure(input_enabled=True)
    count = len(events.of(audio.LEVEL_INPUT))
    wait_until(lambda: len(events.of(audio.LEVEL_INPUT)) > count + 3, what="levels again")
