"""Live audio over the audio link, as transmit.cgi hands it to the engine."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from herald.audio import contract as audio
from herald.audio.g711 import ulaw_decode, ulaw_encode
from herald.audio.gain import db_to_gain
from herald.audio.link import LinkError, TransmitClient
from herald.audio.pcm import float_to_s16, s16_to_float
from herald.audio.resample import Resampler
from herald.bus import state_event
from tests.audio.conftest import Core, Events
from tests.audio.signals import (
    bursts,
    dominant_frequency,
    encode,
    max_step,
    rms,
    similarity,
    sine,
    speechlike,
    wav_header,
)

CHUNK = 1024


@pytest.fixture
def engine(engine: Core) -> Core:
    """A deep jitter buffer: what comes out must not depend on how busy the machine is."""
    engine.configure(receiver_buffer_ms=300)
    return engine


async def transmit(engine: Core, content_type: str, body: bytes) -> tuple[dict, dict]:
    """Send a whole body as a fast client would; the core's buffer sets the pace."""
    client = await TransmitClient.open(engine.link, content_type)
    sender = asyncio.create_task(_send(client, body))
    try:
        first = await client.reply()
        await sender
        last = await client.reply()
        return first, last
    finally:
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)  # a refused body may not fit
        client.close()


async def _send(client: TransmitClient, body: bytes) -> None:
    for start in range(0, len(body), CHUNK):
        await client.send(body[start : start + CHUNK])
    await client.end()


@pytest.mark.parametrize(("content_type", "rate"), [
    ("audio/axis-mulaw-128", 16000), ("audio/basic", 8000)])
def test_mulaw_stream_comes_out_intact(engine: Core, events: Events, content_type: str,
                                       rate: int) -> None:
    signal = speechlike(rate, 1.5)
    body = ulaw_encode(float_to_s16(signal))
    engine.start_listening()
    first, last = asyncio.run(transmit(engine, content_type, body))
    assert first["message"] == "playing"
    assert last["message"] == "played"
    assert last["seconds"] == pytest.approx(1.5, abs=0.01)
    assert events.wait(audio.stopped("live")).data["reason"] == "end"
    events.wait(state_event(audio.LIVE_ACTIVE), value=False)
    assert [e.data["value"] for e in events.of(state_event(audio.LIVE_ACTIVE))] == [True, False]

    heard = engine.heard() / db_to_gain(-6)
    sent = Resampler(rate, 48000).process(s16_to_float(ulaw_decode(body)))
    [burst] = bursts(heard)
    assert burst.seconds == pytest.approx(1.5, abs=0.02)
    assert similarity(heard, sent) > 0.99


def test_pcm_and_wav_streams_play(engine: Core, events: Events) -> None:
    tone = sine(1000, 0.5, 16000)
    big_endian = float_to_s16(tone).astype(">i2").tobytes()
    engine.start_listening()
    asyncio.run(transmit(engine, "audio/L16;rate=16000;channels=1", big_endian))
    heard = engine.heard()
    [burst] = bursts(heard)
    assert dominant_frequency(heard[burst.start : burst.end]) == pytest.approx(1000, rel=0.003)

    wav = wav_header(16000, 1, 1, 16) + float_to_s16(sine(700, 0.5, 16000)).tobytes()
    engine.start_listening()
    asyncio.run(transmit(engine, "audio/wav", wav))
    heard = engine.heard()
    [burst] = bursts(heard)
    assert burst.seconds == pytest.approx(0.5, abs=0.02)
    assert dominant_frequency(heard[burst.start : burst.end]) == pytest.approx(700, rel=0.003)
    assert rms(heard[burst.start + 2400 : burst.end - 2400]) == pytest.approx(
        0.5 / np.sqrt(2) * db_to_gain(-6), rel=0.03)


def test_a_matching_wav_header_on_raw_mulaw_is_skipped(engine: Core) -> None:
    body = wav_header(16000, 1, 7, 8) + ulaw_encode(float_to_s16(sine(500, 0.5, 16000)))
    engine.start_listening()
    _first, last = asyncio.run(transmit(engine, "audio/axis-mulaw-128", body))
    assert last["message"] == "played"
    heard = engine.heard()
    [burst] = bursts(heard)
    assert burst.seconds == pytest.approx(0.5, abs=0.005)
    # A header played as mu-law would be a loud click before the tone.
    assert max_step(heard) < 1.5 * 2 * np.pi * 500 / 48000 * 0.5 * db_to_gain(-6)


@pytest.mark.parametrize(("content_type", "body", "status", "words"), [
    ("audio/mpeg", b"\xff\xfb\x90\x00" * 200, 415, "audio/mpeg is not supported"),
    ("", b"\x00" * 1000, 415, "no Content-Type"),
    ("audio/L16", b"\x00" * 1000, 400, "needs a rate"),
    ("audio/basic;rate=12345", b"\x00" * 1000, 400, "rate=12345 is not supported"),
    ("audio/axis-mulaw-128", encode(sine(440, 0.5, 44100), 44100, "mp3"), 415, "MP3"),
    ("audio/axis-mulaw-128", encode(sine(440, 0.5, 48000), 48000, "vorbis"), 415, "Ogg Vorbis"),
    ("audio/axis-mulaw-128", wav_header(44100, 2, 1, 16) + b"\x00" * 2000, 415,
     "not mu-law at 16000 Hz"),
    ("audio/wav", wav_header(16000, 1, 3, 32) + b"\x00" * 2000, 415, "not supported"),
    ("audio/wav", b"RIFF\xff\xff\xff\xffWAVEfmt ", 400, "ends inside its WAV header"),
    ("audio/wav", b"\x00" * 2000, 400, "does not start with a WAV header"),
    ("audio/axis-mulaw-128", b"", 400, "holds no audio"),
])
def test_bad_streams_get_a_clear_refusal(engine: Core, events: Events, content_type: str,
                                         body: bytes, status: int, words: str) -> None:
    with pytest.raises(LinkError) as refused:
        asyncio.run(transmit(engine, content_type, body))
    assert refused.value.status == status
    assert words in str(refused.value)
    assert events.of(audio.started("live")) == []
    assert engine.status()["playing"] == []


def test_one_live_stream_at_a_time(engine: Core, events: Events) -> None:
    async def two_streams() -> None:
        body = ulaw_encode(float_to_s16(sine(440, 1.0, 16000)))
        first = await TransmitClient.open(engine.link, "audio/axis-mulaw-128")
        sender = asyncio.create_task(_send(first, body))
        assert (await first.reply())["message"] == "playing"
        with pytest.raises(LinkError) as busy:
            await transmit(engine, "audio/axis-mulaw-128", body)
        assert busy.value.status == 503
        await sender
        assert (await first.reply())["message"] == "played"
        first.close()

    asyncio.run(two_streams())
    assert len(events.of(audio.started("live"))) == 1


def test_live_audio_interrupts_a_clip(engine: Core, events: Events) -> None:
    clip = engine.add_clip(encode(sine(440, 3.0, 48000), 48000, "wav"), "music.wav")
    engine.call("play_clip", clip=clip)
    events.wait(audio.started("clip"), clip=clip)
    asyncio.run(transmit(engine, "audio/axis-mulaw-128",
                         ulaw_encode(float_to_s16(sine(1000, 0.3, 16000)))))
    assert events.wait(audio.stopped("clip"), clip=clip).data["reason"] == "interrupted"


def test_a_stream_that_only_trickles_does_not_hold_the_speaker(engine: Core) -> None:
    """A byte now and then (less than the timeout apart) once held the one live
    channel for good; such a stream falls behind the clock and is ended."""
    engine.configure(receiver_timeout_ms=1000)

    async def trickle() -> tuple[dict, LinkError]:
        client = await TransmitClient.open(engine.link, "audio/axis-mulaw-128")
        await client.send(ulaw_encode(float_to_s16(sine(440, 0.5, 16000))))
        first = await client.reply()
        ended = asyncio.create_task(client.reply())
        try:
            for _ in range(60):  # 48 s at most; the stream ends long before
                if ended.done():
                    break
                await client.send(b"\xff")
                await asyncio.wait([ended], timeout=0.8)
            with pytest.raises(LinkError) as cut:
                await asyncio.wait_for(ended, 10)
            return first, cut.value
        finally:
            client.close()

    first, cut = asyncio.run(trickle())
    assert first["message"] == "playing"
    assert (cut.status, str(cut)) == (503, "the live stream ended: timeout")
    body = ulaw_encode(float_to_s16(sine(440, 0.3, 16000)))
    _, done = asyncio.run(transmit(engine, "audio/axis-mulaw-128", body))
    assert done["message"] == "played"  # the channel is free for the next stream
