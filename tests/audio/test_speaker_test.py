"""The speaker test on the real engine, in a simulated room where the microphone
hears the speaker: calibrate, then test; a room that changes fails and names
the bands; noise within reason does not; it refuses while it cannot run."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from herald.audio import contract, sweep
from herald.audio.capture import STREAM_RATE
from herald.audio.speakertest import SWEEP_DBFS, agreeing_pair, load_reference
from herald.audio.sweep import BANDS
from herald.bus import CallFailed
from herald.simulation.sound_card import FileAudioDevices
from tests.audio.conftest import Core, _run_core
from tests.audio.rooms import NOTCH_2K, ROOM_DB, ROOM_DELAY_MS
from tests.audio.signals import encode, sine
from tests.conftest import redis_server, wait_until


def speaker_test(core: Core) -> contract.SpeakerTestState:
    return contract.SpeakerTestState.from_dict(core.bus.state()[contract.SPEAKER_TEST])


def run(core: Core, method: str) -> contract.SpeakerTestResult:
    """Start a calibration or test and wait for its result."""
    since = time.time()
    assert core.call(method)["running"]
    return result_since(core, since)


def result_since(core: Core, since: float) -> contract.SpeakerTestResult:
    """The first result of a run that ended after `since`, once there is one."""

    def finished() -> contract.SpeakerTestResult | None:
        state = speaker_test(core)
        last = state.last
        return last if not state.running and last and last.at >= since else None

    return wait_until(finished, timeout=20, what="the speaker test to finish")


@pytest.fixture
def room(engine: Core) -> Iterator[Core]:
    """A quiet room where the microphone hears the speaker 10 dB down, 20 ms late."""
    engine.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)
    engine.card.set_room(ROOM_DB, ROOM_DELAY_MS)
    yield engine
    engine.card.set_room(None)


@pytest.fixture
def calibrated(room: Core) -> Core:
    result = run(room, contract.SPEAKER_TEST_CALIBRATE)
    assert result.passed, result.message
    assert all(level is not None for level in result.levels)
    return room


def test_calibration_then_a_test_in_the_same_room_passes(calibrated: Core) -> None:
    result = run(calibrated, contract.SPEAKER_TEST_RUN)
    assert result.passed, result.message
    assert result.kind == contract.TEST and result.failed == ()
    assert result.seconds <= 5.0
    state = speaker_test(calibrated)
    assert state.calibrated and state.last == result
    reference = np.array(state.reference, dtype=float)
    assert np.max(np.abs(np.array(result.levels, dtype=float) - reference)) < 1.0


def test_a_dead_band_fails_and_is_named(calibrated: Core) -> None:
    calibrated.card.set_room(ROOM_DB, ROOM_DELAY_MS, response=NOTCH_2K)
    result = run(calibrated, contract.SPEAKER_TEST_RUN)
    assert not result.passed
    assert "2 kHz" in result.failed
    assert "1 kHz" not in result.failed and "4 kHz" not in result.failed
    assert "2 kHz" in result.message
    assert speaker_test(calibrated).last == result


def test_a_silent_speaker_fails_every_band(calibrated: Core) -> None:
    calibrated.card.set_room(None)
    result = run(calibrated, contract.SPEAKER_TEST_RUN)
    assert not result.passed
    assert len(result.failed) == len(speaker_test(calibrated).bands)


def test_a_noisy_room_within_tolerance_passes(calibrated: Core) -> None:
    noise = np.random.default_rng(3).normal(0, 0.03, 48000).astype(np.float32)  # -30 dBFS
    calibrated.card.set_scene(noise, 48000)
    result = run(calibrated, contract.SPEAKER_TEST_RUN)
    assert result.passed, result.message


def test_changed_output_gain_is_allowed_for(calibrated: Core) -> None:
    calibrated.configure(output_gain=-16)
    result = run(calibrated, contract.SPEAKER_TEST_RUN)
    assert result.passed, result.message


def test_it_refuses_while_a_clip_of_higher_priority_plays(room: Core) -> None:
    room.configure(priority_clip=50)
    clip = room.add_clip(encode(sine(440, 1.0), 48000, "wav"), "alarm.wav")
    room.call("play_clip", clip=clip, repeat=-1)
    wait_until(lambda: room.status()["playing"], what="the clip to play")
    with pytest.raises(CallFailed, match="clip alarm plays with priority 50"):
        room.call(contract.SPEAKER_TEST_CALIBRATE)
    assert room.status()["playing"][0]["clip"] == clip  # the clip plays on


def test_it_stops_a_clip_of_lower_priority(calibrated: Core) -> None:
    clip = calibrated.add_clip(encode(sine(440, 1.0), 48000, "wav"), "music.wav")
    calibrated.call("play_clip", clip=clip, repeat=-1)
    wait_until(lambda: calibrated.status()["playing"], what="the clip to play")
    result = run(calibrated, contract.SPEAKER_TEST_RUN)
    assert result.passed, result.message


def test_a_clip_of_higher_priority_ends_a_test_under_way(calibrated: Core) -> None:
    calibrated.configure(priority_clip=50)
    clip = calibrated.add_clip(encode(sine(440, 0.5), 48000, "wav"), "alarm.wav")
    since = time.time()
    calibrated.call(contract.SPEAKER_TEST_RUN)
    calibrated.call("play_clip", clip=clip)
    result = result_since(calibrated, since)
    assert not result.passed
    assert result.message == "the test tones were interrupted"


def test_it_refuses_with_the_microphone_off(room: Core) -> None:
    room.configure(input_enabled=False)
    with pytest.raises(CallFailed, match="the microphone is off"):
        room.call(contract.SPEAKER_TEST_CALIBRATE)


def test_the_calibration_survives_a_restart_and_a_test_needs_one(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    data = tmp_path_factory.mktemp("data")
    with FileAudioDevices(tmp_path_factory.mktemp("card")) as card, \
            redis_server(tmp_path_factory.mktemp("redis")) as redis_url:
        card.set_room(ROOM_DB, ROOM_DELAY_MS)
        with contextlib.closing(_run_core(data, redis_url, card)) as first:
            core = next(first)
            assert not speaker_test(core).calibrated
            with pytest.raises(CallFailed, match="not calibrated"):
                core.call(contract.SPEAKER_TEST_RUN)
            assert run(core, contract.SPEAKER_TEST_CALIBRATE).passed
            calibrated_at = speaker_test(core).calibrated_at
        with contextlib.closing(_run_core(data, redis_url, card)) as second:
            core = next(second)
            state = wait_until(lambda: (s := speaker_test(core)).calibrated_at == calibrated_at
                               and s, what="the restarted core to publish its calibration")
            assert state.reference
            assert run(core, contract.SPEAKER_TEST_RUN).passed


@pytest.mark.parametrize("stored", [
    "{not json", "[]", '{"schema": 2, "at": 1.0, "levels": []}',
    '{"schema": 1, "at": 1.0, "levels": [1.0]}',
    '{"schema": 1, "at": true, "levels": %s}' % ([1.0] * len(BANDS)),
    '{"schema": 1, "at": 1.0, "levels": %s}' % (["loud"] * len(BANDS)),
])
def test_a_damaged_calibration_file_means_not_calibrated(tmp_path: Path, stored: str) -> None:
    path = tmp_path / "speakertest.json"
    path.write_text(stored)
    assert load_reference(path) == ((), None)


def heard(recording: np.ndarray, noise_seed: int) -> sweep.Response:
    """The analysis of `recording` in a quiet room's faint noise."""
    hiss = np.random.default_rng(noise_seed).normal(0, 1e-5, len(recording))
    return sweep.analyse(recording + hiss, STREAM_RATE)


def test_calibration_runs_that_disagree_are_not_averaged() -> None:
    """A run that lost the first half of the sweep (a busy device) hears the low
    bands as noise: no pair with it agrees, and the two whole runs do."""
    played = sweep.stimulus(STREAM_RATE, SWEEP_DBFS).astype(np.float64)
    lead = int(sweep.LEAD_SECONDS * STREAM_RATE)
    lost = played.copy()
    lost[: lead + int(sweep.SWEEP_SECONDS * STREAM_RATE) // 2] = 0.0
    whole, cut, again = heard(played, 1), heard(lost, 2), heard(played, 3)
    assert agreeing_pair([whole, cut]) == []
    assert agreeing_pair([whole, cut, again]) == [whole, again]
    assert agreeing_pair([cut, heard(lost * 0.25, 4)]) == []  # 12 dB quieter throughout
