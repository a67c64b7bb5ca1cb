"""Streaming sample-rate conversion by a rational factor, in numpy.

A polyphase windowed-sinc filter: the rate ratio is reduced to up/down, the
prototype low-pass (Kaiser window) is cut at the lower of the two Nyquist
frequencies and split into `up` phases. Blocks may have any length; state
carries over so a stream converted block by block equals the whole converted
at once.
"""

from __future__ import annotations

from math import gcd

import numpy as np

ZERO_CROSSINGS = 32  # filter length in samples of the lower rate
KAISER_BETA = 8.6
PASSBAND = 0.9  # fraction of the lower Nyquist frequency kept flat
CHUNK_OUT = 8192  # outputs computed per numpy step, to bound memory


def _filter_bank(up: int, down: int) -> np.ndarray:
    taps = -(-ZERO_CROSSINGS * max(up, down) // up)  # per phase, so a long decimation stays sharp
    length = taps * up
    cutoff = PASSBAND * 0.5 / max(up, down)  # in cycles per upsampled sample
    t = np.arange(length) - (length - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * t) * np.kaiser(length, KAISER_BETA) * up
    # bank[p, k] multiplies the k-th newest input for output phase p.
    return h.reshape(taps, up).T.astype(np.float32)


class Resampler:
    """Convert a mono float32 stream from `in_rate` to `out_rate`."""

    def __init__(self, in_rate: int, out_rate: int) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError("sample rates must be positive")
        divisor = gcd(in_rate, out_rate)
        self.up, self.down = out_rate // divisor, in_rate // divisor
        self.bank = _filter_bank(self.up, self.down) if self.up != self.down else None
        self.taps = self.bank.shape[1] if self.bank is not None else 1
        self.history = np.zeros(self.taps - 1, dtype=np.float32)
        # Position of the next output, in upsampled samples, from history[0].
        self.position = (self.taps - 1) * self.up

    def process(self, block: np.ndarray) -> np.ndarray:
        if self.bank is None:
            return block.astype(np.float32, copy=False)
        buffer = np.concatenate([self.history, block.astype(np.float32, copy=False)])
        end = len(buffer) * self.up
        count = max(0, -(-(end - self.position) // self.down))
        out = np.empty(count, dtype=np.float32)
        taps = np.arange(self.taps)
        for start in range(0, count, CHUNK_OUT):
            n = min(CHUNK_OUT, count - start)
            positions = self.position + self.down * np.arange(start, start + n, dtype=np.int64)
            newest, phase = np.divmod(positions, self.up)
            window = buffer[newest[:, None] - taps[None, :]]
            out[start : start + n] = np.einsum("ij,ij->i", window, self.bank[phase])
        self.position += count * self.down
        keep = self.taps - 1
        consumed = len(buffer) - keep
        self.history = buffer[consumed:].copy()
        self.position -= consumed * self.up
        return out

    def flush(self) -> np.ndarray:
        """The tail still inside the filter, for the end of a stream."""
        if self.bank is None:
            return np.zeros(0, dtype=np.float32)
        return self.process(np.zeros(self.taps // 2, dtype=np.float32))
