"""Sources by priority: a higher one interrupts or ducks a clip, as the rule says."""

from __future__ import annotations

import numpy as np
import pytest

from herald.audio import contract as audio
from herald.audio.gain import db_to_gain
from herald.bus import state_event
from tests.audio.conftest import Core, Events
from tests.audio.signals import bursts, encode, sine, tone_amplitude

WINDOW = 2400  # 50 ms analysis windows


def amplitudes(heard: np.ndarray, frequency: float) -> np.ndarray:
    count = len(heard) // WINDOW
    return np.array([tone_amplitude(heard[i * WINDOW : (i + 1) * WINDOW], frequency)
                     for i in range(count)])


def test_a_tone_interrupts_a_clip(engine: Core, events: Events) -> None:
    clip = engine.add_clip(encode(sine(440, 3.0, 48000), 48000, "wav"), "music.wav")
    engine.start_listening()
    engine.call("play_clip", clip=clip)
    events.wait(audio.started("clip"), clip=clip)
    engine.call("play_tone", frequency=1000, seconds=0.3, level=-6)
    events.wait(audio.stopped("tone"))
    stopped = events.wait(audio.stopped("clip"), clip=clip)
    assert stopped.data["reason"] == "interrupted"
    events.wait(state_event(audio.CLIP_PLAYING), value=False)
    assert events.topics("audio.clip") + events.topics("audio.tone") == [
        audio.started("clip"), audio.stopped("clip"), audio.started("tone"), audio.stopped("tone")]
    order = [e.topic for e in events.events if e.topic.startswith(("audio.clip", "audio.tone"))]
    assert order.index(audio.started("tone")) < order.index(audio.stopped("clip"))
    playing = [e.data["value"] for e in events.of(state_event(audio.CLIP_PLAYING))]
    assert playing == [True, False]
    assert engine.bus.state()[audio.CLIP_PLAYING] is False

    heard = engine.heard()
    clip_level, tone_level = amplitudes(heard, 440), amplitudes(heard, 1000)
    tone_windows = np.flatnonzero(tone_level > 0.1)
    assert len(tone_windows) == pytest.approx(6, abs=1)  # 0.3 s of tone
    # The clip played before the tone and never after it started.
    assert clip_level[: tone_windows[0] - 1].min() > 0.2
    assert clip_level[tone_windows[0] + 1 :].max() < 0.01
    assert len(bursts(heard)) == 1  # one sound: the tone follows the clip without a gap


def test_a_tone_ducks_a_clip_under_the_duck_rule(engine: Core, events: Events) -> None:
    engine.configure(priority_rule="duck", duck_level=-20)
    clip = engine.add_clip(encode(sine(440, 1.5, 48000), 48000, "wav"), "music.wav")
    engine.start_listening()
    engine.call("play_clip", clip=clip)
    events.wait(audio.started("clip"), clip=clip)
    engine.call("play_tone", frequency=1000, seconds=0.4, level=-6)
    stopped = events.wait(audio.stopped("clip"), clip=clip)
    assert stopped.data["reason"] == "end"
    events.wait(state_event(audio.CLIP_PLAYING), value=False)
    assert [e.data["value"] for e in events.of(state_event(audio.CLIP_PLAYING))] == [True, False]

    heard = engine.heard()
    clip_level, tone_level = amplitudes(heard, 440), amplitudes(heard, 1000)
    full = 0.5 * db_to_gain(-6)
    tone_windows = np.flatnonzero(tone_level > 0.1)
    during = clip_level[tone_windows[2:-2]]  # past the 50 ms glide at each end
    assert during == pytest.approx(full * db_to_gain(-20), rel=0.1)
    after = clip_level[tone_windows[-1] + 3 : tone_windows[-1] + 8]
    assert after == pytest.approx(full, rel=0.05)
    before = clip_level[1 : tone_windows[0] - 1]
    assert before == pytest.approx(full, rel=0.05)


def test_a_new_clip_replaces_the_playing_one(engine: Core, events: Events) -> None:
    first = engine.add_clip(encode(sine(440, 3.0, 48000), 48000, "wav"), "first.wav")
    second = engine.add_clip(encode(sine(660, 0.3, 48000), 48000, "wav"), "second.wav")
    engine.call("play_clip", clip=first)
    events.wait(audio.started("clip"), clip=first)
    engine.call("play_clip", clip=second)
    assert events.wait(audio.stopped("clip"), clip=first).data["reason"] == "replaced"
    assert events.wait(audio.stopped("clip"), clip=second).data["reason"] == "end"
    events.wait(state_event(audio.CLIP_PLAYING), value=False)
    # The state stays "playing" from the first start to the second clip's end.
    assert [e.data["value"] for e in events.of(state_event(audio.CLIP_PLAYING))] == [True, False]
