"""Making test sounds and analysing what the speaker played."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import av
import numpy as np
import soundfile

RATE = 48000


def sine(frequency: float, seconds: float, rate: int = RATE, amplitude: float = 0.5,
         channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    return np.repeat(wave[:, None], channels, axis=1) if channels > 1 else wave


def encode(samples: np.ndarray, rate: int, fmt: str) -> bytes:
    """A clip file of format `fmt` (au, wav, mp3, opus, vorbis) holding `samples`."""
    if fmt == "opus":
        return _encode_opus(samples, rate)
    buffer = io.BytesIO()
    options = {
        "au": {"format": "AU", "subtype": "ULAW"},
        "wav": {"format": "WAV", "subtype": "PCM_16"},
        "mp3": {"format": "MP3", "bitrate_mode": "CONSTANT", "compression_level": 0.3},
        "vorbis": {"format": "OGG", "subtype": "VORBIS"},
    }[fmt]
    soundfile.write(buffer, samples, rate, **options)
    return buffer.getvalue()


def _encode_opus(samples: np.ndarray, rate: int) -> bytes:
    """Ogg Opus through PyAV/libopus (resampled to 48 kHz as Opus requires)."""
    buffer = io.BytesIO()
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    with av.open(buffer, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=48000, layout="mono")
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=48000)
        frame = av.AudioFrame.from_ndarray(mono.astype(np.float32)[None, :], format="fltp",
                                           layout="mono")
        frame.sample_rate = rate
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def dominant_frequency(samples: np.ndarray, rate: int = RATE) -> float:
    window = samples * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(window))
    peak = int(np.argmax(spectrum[1:])) + 1
    # Parabolic interpolation between bins for a sharper estimate.
    if 1 <= peak < len(spectrum) - 1:
        a, b, c = np.log(spectrum[peak - 1 : peak + 2] + 1e-12)
        peak += 0.5 * (a - c) / (a - 2 * b + c)
    return float(peak * rate / len(samples))


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


@dataclass(frozen=True)
class Burst:
    start: int
    end: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / RATE


def bursts(samples: np.ndarray, threshold: float = 0.02, gap: float = 0.02) -> list[Burst]:
    """Stretches of sound, split where it stays below `threshold` for over `gap` seconds."""
    loud = np.abs(samples) > threshold
    found: list[Burst] = []
    indices = np.flatnonzero(loud)
    if not len(indices):
        return found
    breaks = np.flatnonzero(np.diff(indices) > gap * RATE)
    starts = np.concatenate([[indices[0]], indices[breaks + 1]])
    ends = np.concatenate([indices[breaks], [indices[-1]]])
    return [Burst(int(s), int(e) + 1) for s, e in zip(starts, ends, strict=True)]


def max_step(samples: np.ndarray) -> float:
    """The largest jump between neighbouring samples: a click shows up here."""
    return float(np.max(np.abs(np.diff(samples)))) if len(samples) > 1 else 0.0


def tone_amplitude(samples: np.ndarray, frequency: float, rate: int = RATE) -> float:
    """Amplitude of one frequency's component in `samples` (a single-bin DFT)."""
    t = np.arange(len(samples)) / rate
    return float(2 * np.abs(np.sum(samples * np.exp(-2j * np.pi * frequency * t))) / len(samples))


def wav_header(rate: int, channels: int, tag: int, bits: int) -> bytes:
    block = channels * bits // 8
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 0xFFFFFFFF, b"WAVE", b"fmt ", 16, tag,
                       channels, rate, rate * block, block, bits, b"data", 0xFFFFFFFF)


def similarity(heard: np.ndarray, sent: np.ndarray) -> float:
    """Normalised cross-correlation peak between what was sent and what played."""
    spectrum = np.fft.rfft(heard, 2 * len(heard)) * np.conj(np.fft.rfft(sent, 2 * len(heard)))
    lag = int(np.argmax(np.fft.irfft(spectrum)[: len(heard)]))
    aligned = heard[lag : lag + len(sent)]
    sent = sent[: len(aligned)]
    return float(np.dot(aligned, sent) / np.sqrt(np.dot(aligned, aligned) * np.dot(sent, sent)))


# A chirp-like signal: any dropped, repeated or reordered piece lowers the similarity.
def speechlike(rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)
    return (0.4 * np.sin(2 * np.pi * (300 * t + 400 * t**2)) * envelope).astype(np.float32)
