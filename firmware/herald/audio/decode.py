"""Decoding clip files into the engine's sample stream.

libsndfile (through soundfile) reads every clip format the manual lists:
AU, WAV, MP3, Ogg Opus and Ogg Vorbis. Clips are decoded block by block, so
playback starts after the first block rather than after the whole file, and
converted on the way to mono float32 at the engine's rate. `to_au` converts
a clip to what VAPIX downloads are: AU, mono 8 kHz G.711 mu-law.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile

from herald.audio.clipformat import ClipError, ClipInfo
from herald.audio.g711 import ulaw_encode
from herald.audio.pcm import float_to_s16, to_mono
from herald.audio.resample import Resampler

BLOCK_FRAMES = 4096
# Encoders pad the start and the end of MP3 and Opus; decoders trim what the
# LAME tag or the Ogg granule positions say. Up to this many frames may
# differ from the container's count.
SLACK_FRAMES = {"mp3": 3 * 1152, "opus": 2400}
AU_RATE = 8000
AU_MULAW = 1  # the AU header's number for 8-bit G.711 mu-law
AU_HEADER = struct.Struct(">4s5I")  # magic, data offset, data size, encoding, rate, channels


def decoded_blocks(source: str | Path | io.BytesIO, rate: int) -> Iterator[np.ndarray]:
    """Mono float32 blocks at `rate` from a clip file, until its end."""
    with soundfile.SoundFile(source) as audio:
        resampler = Resampler(audio.samplerate, rate)
        for block in audio.blocks(BLOCK_FRAMES, dtype="float32", always_2d=True):
            yield resampler.process(to_mono(block))
        tail = resampler.flush()
        if tail.size:
            yield tail


def check_decodes(data: bytes, info: ClipInfo, max_frames: int | None = None) -> int:
    """Decode the whole file once; returns its frames at its own rate, or, past
    `max_frames`, stops there and returns what it has decoded (over the limit).

    A file whose audio cannot be decoded, or stops well before the length
    its container declares, is damaged.
    """
    frames = 0
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as audio:
            for block in audio.blocks(BLOCK_FRAMES * 4, dtype="float32", always_2d=True):
                if not np.isfinite(block).all():
                    raise ClipError("the audio cannot be decoded: the file is damaged")
                frames += len(block)
                if max_frames is not None and frames > max_frames:
                    return frames
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise ClipError(f"the audio cannot be decoded: {exc}") from exc
    slack = SLACK_FRAMES.get(info.format, 0)
    if frames + slack < info.frames:
        raise ClipError(f"the file is damaged: its audio stops after {frames / info.rate:.2f} s "
                        f"of {info.duration:.2f} s")
    if frames == 0:
        raise ClipError("the file holds no audio")
    return frames


def to_au(source: str | Path) -> bytes:
    """A clip file as an AU file of mono 8 kHz mu-law (audio/basic)."""
    data = b"".join(ulaw_encode(float_to_s16(block)) for block in decoded_blocks(source, AU_RATE))
    return AU_HEADER.pack(b".snd", AU_HEADER.size, len(data), AU_MULAW, AU_RATE, 1) + data
