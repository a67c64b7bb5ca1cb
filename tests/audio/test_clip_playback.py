"""Clips of every supported format, played by the real engine into the file-backed speaker."""

from __future__ import annotations

import numpy as np
import pytest

from herald.audio import contract as audio
from herald.audio.gain import db_to_gain
from tests.audio.conftest import Core, Events
from tests.audio.signals import bursts, dominant_frequency, encode, max_step, rms, sine

DEFAULT_GAIN = db_to_gain(-6)  # the default output gain
EDGE = 2400  # 50 ms kept away from a burst's ends when measuring its middle

FORMATS = [
    ("au", 8000, "tone.au", 700.0),
    ("au", 16000, "tone.au", 1200.0),
    ("wav", 44100, "tone.wav", 880.0),
    ("mp3", 44100, "tone.mp3", 1000.0),
    ("mp3", 16000, "tone.mp3", 600.0),
    ("opus", 48000, "tone.opus", 1500.0),
    ("vorbis", 22050, "tone.vorbis", 500.0),
    ("vorbis", 48000, "tone.ogg", 2000.0),
]


@pytest.mark.parametrize(("fmt", "rate", "filename", "frequency"), FORMATS,
                         ids=[f"{f[0]}-{f[1]}" for f in FORMATS])
def test_each_format_plays_its_sound(engine: Core, events: Events, fmt: str, rate: int,
                                     filename: str, frequency: float) -> None:
    clip = engine.add_clip(encode(sine(frequency, 0.6, rate), rate, fmt), filename)
    engine.start_listening()
    played = engine.call("play_clip", clip=clip)
    assert played["clip"] == clip
    events.wait(audio.stopped("clip"), clip=clip)
    heard = engine.heard()
    [burst] = bursts(heard)
    assert burst.seconds == pytest.approx(0.6, abs=0.02)
    middle = heard[burst.start + EDGE : burst.end - EDGE]
    assert dominant_frequency(middle) == pytest.approx(frequency, rel=0.003)
    expected = 0.5 / np.sqrt(2) * DEFAULT_GAIN
    tolerance = 0.03 if fmt in ("wav", "au") else 0.1
    assert rms(middle) == pytest.approx(expected, rel=tolerance)
    # No click where it starts or ends: no jump beyond what the sine itself does.
    assert max_step(heard) < 1.5 * 2 * np.pi * frequency / 48000 * 0.5 * DEFAULT_GAIN
    # The output meter saw it: -6 dB gain on a -6 dBFS sine is about 87 %.
    assert max(e.data["level"] for e in events.of(audio.LEVEL_OUTPUT)) == pytest.approx(
        86.7, abs=1.5)


def test_volume_scales_the_clip(engine: Core, events: Events) -> None:
    clip = engine.add_clip(encode(sine(1000, 0.4, 48000), 48000, "wav"), "volume.wav")
    levels = {}
    for volume in (100, 50, 10):
        engine.start_listening()
        engine.call("play_clip", clip=clip, volume=volume)
        events.wait(audio.stopped("clip"), clip=clip, volume=volume)
        heard = engine.heard()
        [burst] = bursts(heard, threshold=0.002)
        levels[volume] = rms(heard[burst.start + EDGE : burst.end - EDGE])
    assert levels[50] / levels[100] == pytest.approx(0.5, rel=0.02)
    assert levels[10] / levels[100] == pytest.approx(0.1, rel=0.02)


def test_repeat_plays_the_clip_again(engine: Core, events: Events) -> None:
    beep = np.concatenate([sine(1000, 0.2, 48000), np.zeros(9600, dtype=np.float32)])
    clip = engine.add_clip(encode(beep, 48000, "wav"), "beep.wav")
    engine.start_listening()
    engine.call("play_clip", clip=clip, repeat=2)
    stopped = events.wait(audio.stopped("clip"), clip=clip)
    assert stopped.data["reason"] == "end"
    found = bursts(engine.heard())
    assert len(found) == 3
    assert [b.seconds for b in found] == pytest.approx([0.2] * 3, abs=0.01)
    starts = [b.start for b in found]
    assert np.diff(starts) == pytest.approx([0.4 * 48000] * 2, abs=48)


def test_stopping_a_clip_fades_it_out_without_a_click(engine: Core, events: Events) -> None:
    clip = engine.add_clip(encode(sine(1000, 5.0, 48000, amplitude=0.9), 48000, "wav"), "long.wav")
    engine.configure(output_gain=0)
    engine.start_listening()
    engine.call("play_clip", clip=clip, repeat=-1)
    events.wait(audio.started("clip"), clip=clip)
    assert engine.call("stop_clip") == {"stopped": 1}
    stopped = events.wait(audio.stopped("clip"), clip=clip)
    assert stopped.data["reason"] == "stopped"
    heard = engine.heard()
    [burst] = bursts(heard)
    assert burst.seconds < 1.0
    # A 1 kHz sine at 0.9 moves at most 0.12 between samples; a cut would jump up to 0.9.
    assert max_step(heard) < 0.15


def test_output_gain_mute_and_maximum_volume(engine: Core, events: Events) -> None:
    clip = engine.add_clip(encode(sine(500, 0.4, 48000, amplitude=0.9), 48000, "wav"), "loud.wav")

    def play(**settings: object) -> np.ndarray:
        engine.configure(**settings)
        engine.start_listening()
        engine.call("play_clip", clip=clip)
        events.wait(audio.stopped("clip"), clip=clip)
        events.events.clear()
        return engine.heard()

    full = play(output_gain=0)
    quieter = play(output_gain=-20)
    [loud_burst] = bursts(full)
    middle = slice(loud_burst.start + EDGE, loud_burst.end - EDGE)
    assert rms(quieter[middle]) / rms(full[middle]) == pytest.approx(db_to_gain(-20), rel=0.02)
    assert np.max(np.abs(play(output_gain=0, output_mute=True))) == 0.0
    capped = play(output_gain=0, output_mute=False, max_volume=-12)
    assert np.max(np.abs(capped)) <= db_to_gain(-12) + 1 / 32768
    assert np.max(np.abs(capped)) > 0.9 * db_to_gain(-12)
