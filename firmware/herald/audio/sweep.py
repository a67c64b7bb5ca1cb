"""The speaker test's measurement: an exponential sine sweep and what the
microphone made of it, per 1/3-octave band (Farina's method, see
audio-notes §2.2).

Deconvolving the recording with the sweep's inverse filter gives the
speaker-to-microphone impulse response; room noise spreads thinly over the
whole result while the response gathers in one place, which is why a sweep
measures through noise that would drown stepped tones. The response, gated
to GATE_SECONDS, gives the level per band; the same gate further on, where
only deconvolved noise lies, gives each band's noise floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOW_HZ, HIGH_HZ = 100.0, 7500.0  # the sweep: a little beyond the outer bands' edges
SWEEP_SECONDS = 1.0
FADE_SECONDS = 0.01
LEAD_SECONDS = 0.3  # silence before the sweep: the room has settled
TAIL_SECONDS = 0.3  # and after it: the room's last echoes come in
BANDS = (200.0, 250.0, 315.0, 400.0, 500.0, 630.0, 800.0, 1000.0, 1250.0, 1600.0, 2000.0,
         2500.0, 3150.0, 4000.0, 5000.0, 6300.0)  # 1/3-octave centres (IEC 61260)
GATE_SECONDS = 0.064  # the part of the impulse response measured: direct sound and early room
PRE_SECONDS = 0.002  # kept before the response's peak
NOISE_OFFSET_GATES = 3  # the noise window starts this many gates after the peak
FFT_SIZE = 8192
FLOOR = 1e-20  # power of a silent band, so its level is a (very low) number


def sweep(rate: int) -> np.ndarray:
    """The exponential sweep, faded in and out so it starts and ends without a click."""
    t = np.arange(int(SWEEP_SECONDS * rate)) / rate
    span = SWEEP_SECONDS / np.log(HIGH_HZ / LOW_HZ)
    signal = np.sin(2 * np.pi * LOW_HZ * span * (np.exp(t / span) - 1))
    fade = int(FADE_SECONDS * rate)
    signal[:fade] *= np.linspace(0.0, 1.0, fade)
    signal[-fade:] *= np.linspace(1.0, 0.0, fade)
    return signal


def stimulus(rate: int, level_dbfs: float) -> np.ndarray:
    """What the speaker plays: silence, the sweep at `level_dbfs` peak, silence."""
    lead, tail = np.zeros(int(LEAD_SECONDS * rate)), np.zeros(int(TAIL_SECONDS * rate))
    return np.concatenate([lead, sweep(rate) * 10 ** (level_dbfs / 20), tail]).astype(np.float32)


@dataclass(frozen=True)
class Response:
    """Per band: the level heard (dB) and the noise floor under it (dB)."""

    levels: np.ndarray
    noise: np.ndarray

    def snr(self) -> np.ndarray:
        return self.levels - self.noise


def analyse(recording: np.ndarray, rate: int) -> Response:
    """The per-band response in a recording that holds the whole stimulus."""
    excitation = sweep(rate)
    t = np.arange(len(excitation)) / rate
    span = SWEEP_SECONDS / np.log(HIGH_HZ / LOW_HZ)
    inverse = excitation[::-1] * np.exp(-t / span)  # Farina: equal energy per octave
    size = 1 << int(np.ceil(np.log2(len(recording) + len(inverse))))
    impulse = np.fft.irfft(np.fft.rfft(recording, size) * np.fft.rfft(inverse, size), size)
    impulse = impulse[: len(recording) + len(inverse) - 1]
    gate, pre = int(GATE_SECONDS * rate), int(PRE_SECONDS * rate)
    peak = int(np.argmax(np.abs(impulse)))
    noise_start = min(peak + NOISE_OFFSET_GATES * gate, len(impulse) - gate)
    return Response(_band_levels(impulse[max(peak - pre, 0) : peak - pre + gate], rate),
                    _band_levels(impulse[noise_start : noise_start + gate], rate))


def _band_levels(window: np.ndarray, rate: int) -> np.ndarray:
    taper = np.ones(len(window))
    fade = len(window) // 4  # the gate closes gently: no ripple from a hard cut
    taper[-fade:] = np.hanning(2 * fade)[fade:]
    power = np.abs(np.fft.rfft(window * taper, FFT_SIZE)) ** 2
    frequencies = np.fft.rfftfreq(FFT_SIZE, 1 / rate)
    levels = []
    for centre in BANDS:
        inside = (frequencies >= centre / 2 ** (1 / 6)) & (frequencies < centre * 2 ** (1 / 6))
        levels.append(10 * np.log10(power[inside].mean() + FLOOR))
    return np.array(levels)
