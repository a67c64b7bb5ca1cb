"""Echo cancellation: take the speaker's own sound out of what the microphone hears.

The playback thread tells `EchoReference` what it wrote and when; the
capture thread asks it for the samples written during each block it reads,
so both streams share one clock. `EchoCanceller` learns the path from the
speaker to the microphone (output buffering, the room, input buffering:
up to TAIL_SECONDS) with a partitioned-block frequency-domain NLMS filter,
and subtracts its estimate of the echo from the microphone signal.
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

TAIL_SECONDS = 0.2  # the longest speaker-to-microphone delay the filter covers
HISTORY_SECONDS = 2.0
STEP = 0.8
SMOOTHING = 0.9
BURST_GAP = 0.05  # a pause this long between writes starts a new stretch of playback


class EchoReference:
    """What the speaker played, by the time it was handed to ALSA."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.lock = threading.Lock()
        self.chunks: deque[tuple[float, np.ndarray]] = deque()
        self.end: float | None = None

    def played(self, block: np.ndarray, written: float) -> None:
        with self.lock:
            if self.end is None or written - self.end > BURST_GAP:
                start = written - len(block) / self.rate  # after silence: anchor on the clock
            else:
                start = self.end  # within a stretch: sample by sample
            self.chunks.append((start, block.astype(np.float32, copy=False)))
            self.end = start + len(block) / self.rate
            while self.chunks and self.chunks[0][0] < self.end - HISTORY_SECONDS:
                self.chunks.popleft()

    def interrupted(self) -> None:
        """The sound card ran dry (an underrun): what comes next plays later than the
        samples before it imply, so it is anchored on the clock again."""
        with self.lock:
            self.end = None

    def window(self, start: float, frames: int) -> np.ndarray:
        """The samples played from `start` on, `frames` of them; silence where none was."""
        out = np.zeros(frames, dtype=np.float32)
        with self.lock:
            for chunk_start, chunk in self.chunks:
                first = round((chunk_start - start) * self.rate)
                lo, hi = max(first, 0), min(first + len(chunk), frames)
                if hi > lo:
                    out[lo:hi] = chunk[lo - first : hi - first]
        return out


class EchoCanceller:
    """Partitioned-block frequency-domain adaptive filter (overlap-save NLMS with
    the gradient constraint), normalised by the speaker signal's power per bin."""

    def __init__(self, block: int, rate: int) -> None:
        self.block = block
        self.partitions = max(1, -(-int(TAIL_SECONDS * rate) // block))
        bins = block + 1
        self.weights = np.zeros((self.partitions, bins), dtype=np.complex64)
        self.spectra = np.zeros((self.partitions, bins), dtype=np.complex64)
        self.power = np.zeros(bins, dtype=np.float32)
        self.previous = np.zeros(block, dtype=np.float32)
        self.floor = np.float32(2 * block * 1e-7)

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        """The microphone block `near` without the echo of the speaker block `far`."""
        block = self.block
        spectrum = np.fft.rfft(np.concatenate([self.previous, far]))
        self.previous = far.astype(np.float32, copy=True)
        self.spectra = np.roll(self.spectra, 1, axis=0)
        self.spectra[0] = spectrum
        estimate = np.fft.irfft((self.weights * self.spectra).sum(axis=0), 2 * block)[block:]
        error = (near - estimate).astype(np.float32)
        error_spectrum = np.fft.rfft(np.concatenate([np.zeros(block, np.float32), error]))
        energy = (np.abs(self.spectra) ** 2).sum(axis=0)
        self.power = np.maximum(SMOOTHING * self.power + (1 - SMOOTHING) * energy, energy)
        gain = (STEP / (self.power + self.floor)).astype(np.float32)
        gradient = np.conj(self.spectra) * (error_spectrum * gain)
        response = np.fft.irfft(gradient, 2 * self.block, axis=1)
        response[:, self.block :] = 0.0  # the gradient constraint: causal, one block long
        self.weights += np.fft.rfft(response, axis=1).astype(np.complex64)
        return error

