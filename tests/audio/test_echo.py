"""Echo cancellation: in a simulated room where the microphone hears the speaker,
switching it on takes the speaker's sound out of what the microphone delivers."""

from __future__ import annotations

import numpy as np
import pytest

from herald.audio import contract as audio
from herald.audio.link import CaptureClient
from herald.audio.pcm import s16_to_float
from tests.audio.conftest import Core, Events
from tests.audio.signals import encode, rms, sine

RATE = 16000


def noise_clip(seconds: float) -> np.ndarray:
    """Broadband like speech: what an echo canceller must handle, unlike a pure tone."""
    rng = np.random.default_rng(7)
    spectrum = np.fft.rfft(rng.normal(0, 1, int(48000 * seconds)))
    frequencies = np.fft.rfftfreq(int(48000 * seconds), 1 / 48000)
    spectrum[(frequencies < 300) | (frequencies > 4000)] = 0
    noise = np.fft.irfft(spectrum)
    return (0.3 * noise / np.max(np.abs(noise))).astype(np.float32)


def heard_while_playing(engine: Core, events: Events, clip: int, seconds: float) -> np.ndarray:
    """What the microphone delivered during the last `seconds` of the clip."""
    with CaptureClient(engine.link, "s16le", RATE) as client:
        engine.call("play_clip", clip=clip)
        events.wait(audio.started("clip"), clip=clip)
        data = b""
        while not events.of(audio.stopped("clip"), clip=clip):
            data += client.read(8192)
    events.events.clear()
    samples = s16_to_float(np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2"))
    return samples[-int(seconds * RATE) - RATE // 2 : -RATE // 2]


@pytest.fixture
def room(engine: Core) -> Core:
    engine.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)
    engine.card.set_room(-6.0, delay_ms=15)
    yield engine
    engine.card.set_room(None)


def test_echo_cancellation_removes_the_speaker_from_the_microphone(room: Core,
                                                                   events: Events) -> None:
    clip = room.add_clip(encode(noise_clip(8.0), 48000, "wav"), "talk.wav")
    echo = heard_while_playing(room, events, clip, 4.0)
    assert rms(echo) > 0.01  # the room carries the speaker to the microphone
    room.configure(echo_cancellation=True)
    cancelled = heard_while_playing(room, events, clip, 4.0)
    # Half-second windows once the filter has learned the room; the median, as the
    # simulated room itself slips now and then on a busy machine and is relearned.
    # Typically 20 to 30 dB; far less than 10 means the canceller is not working.
    half = RATE // 2
    reductions = [20 * np.log10(rms(echo[i : i + half]) / rms(cancelled[i : i + half]))
                  for i in range(0, len(echo) - half + 1, half)]
    print("echo reduced by (dB):", [round(float(r), 1) for r in reductions])
    assert np.median(reductions) > 10


def test_echo_cancellation_keeps_the_room_itself(room: Core) -> None:
    room.card.set_scene(sine(300, 0.5, amplitude=0.2), 48000)

    def level() -> float:
        with CaptureClient(room.link, "s16le", RATE) as client:
            data = b""
            while len(data) < 3 * RATE:
                data += client.read(8192)
        return rms(s16_to_float(np.frombuffer(data[RATE:3 * RATE], dtype="<i2")))

    without = level()
    room.configure(echo_cancellation=True)
    assert level() == pytest.approx(without, rel=0.02)
