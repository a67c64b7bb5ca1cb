"""The engine's numpy building blocks: G.711, resampling, levels, settings."""

from __future__ import annotations

import numpy as np
import pytest

from herald.audio.contract import AudioSettings, settings_from_dict
from herald.audio.g711 import ulaw_decode, ulaw_encode
from herald.audio.levels import LevelDetector, dbfs, level_percent
from herald.audio.resample import Resampler
from tests.audio.signals import dominant_frequency, rms, sine


def test_mulaw_reference_points_and_precision() -> None:
    assert ulaw_encode(np.array([0], dtype=np.int16)) == b"\xff"
    assert list(ulaw_decode(b"\xff\x7f\x00\x80")) == [0, 0, -32124, 32124]
    linear = np.arange(-32768, 32768, 256, dtype=np.int32).astype(np.int16)
    decoded = ulaw_decode(ulaw_encode(linear)).astype(np.int32)
    error = np.abs(decoded - linear)
    # mu-law keeps about 4 bits of mantissa: the error stays within 1/16 of the value.
    assert np.all(error <= np.maximum(np.abs(linear.astype(np.int32)) / 16, 8) + 1)
    positive = ulaw_decode(bytes(range(0x80, 0x100)))
    assert np.all(np.diff(positive.astype(np.int32)) < 0)  # codes run from loud to silent


@pytest.mark.parametrize(("source", "target"), [
    (8000, 48000), (16000, 48000), (22050, 48000), (44100, 48000), (48000, 16000),
    (48000, 8000), (11025, 16000)])
def test_resampling_keeps_pitch_and_level(source: int, target: int) -> None:
    tone = sine(1000, 1.0, source)
    whole = Resampler(source, target).process(tone)
    assert len(whole) == pytest.approx(target, abs=2)
    middle = whole[target // 4 : 3 * target // 4]
    assert dominant_frequency(middle, target) == pytest.approx(1000, rel=0.001)
    assert rms(middle) == pytest.approx(rms(tone), rel=0.005)
    pieces = Resampler(source, target)
    blocks = np.concatenate([pieces.process(tone[i : i + 777]) for i in range(0, len(tone), 777)])
    assert np.allclose(blocks, whole[: len(blocks)], atol=1e-5)


def test_downsampling_removes_what_the_new_rate_cannot_carry() -> None:
    alias = Resampler(48000, 16000).process(sine(12000, 1.0, 48000))
    # 12 kHz would fold to 4 kHz at 16 kHz; the filter keeps it 60 dB down.
    assert rms(alias[4000:12000]) < rms(sine(12000, 1.0, 48000)) * 1e-3


def test_levels_in_percent_as_vapix_counts_them() -> None:
    assert level_percent(sine(1000, 0.1, amplitude=1.0)) == pytest.approx(100, abs=0.1)
    assert dbfs(sine(1000, 0.1, amplitude=10 ** (-45 / 20))) == pytest.approx(-45, abs=0.1)
    assert level_percent(sine(1000, 0.1, amplitude=10 ** (-45 / 20))) == pytest.approx(50, abs=0.1)
    assert level_percent(np.zeros(4800, dtype=np.float32)) == 0.0


def test_detector_reports_crossings_once_with_hysteresis() -> None:
    detector = LevelDetector(threshold=50)
    assert detector.update(20) is None  # the first level only says where we are
    assert detector.update(50.5) is None  # within the hysteresis: still below
    crossing = detector.update(60)
    assert crossing is not None and crossing.above and crossing.level == 60
    assert [detector.update(level) for level in (55, 49.5, 70)] == [None, None, None]
    crossing = detector.update(30)
    assert crossing is not None and not crossing.above


def test_settings_are_checked_with_clear_messages() -> None:
    assert settings_from_dict({}) == AudioSettings()
    assert AudioSettings().changed(output_gain=-20).output_gain == -20
    for changes, words in [
        ({"output_gain": 5}, "output_gain 5 is out of range (-60 to 0)"),
        ({"output_gain": "loud"}, "output_gain must be a whole number"),
        ({"output_mute": 1}, "output_mute must be true or false"),
        ({"priority_rule": "shuffle"}, "priority_rule 'shuffle' is out of range (interrupt, duck)"),
        ({"volume_knob": 3}, "unknown audio settings: volume_knob"),
    ]:
        with pytest.raises(ValueError) as refused:
            AudioSettings().changed(**changes)
        assert str(refused.value) == words
