"""Sample formats at the edges of the engine.

Inside, audio is float32 in -1..1, one column per channel; ALSA and the
wire want signed 16-bit integers.
"""

from __future__ import annotations

import numpy as np

FULL_SCALE = 32768.0


def s16_to_float(samples: np.ndarray) -> np.ndarray:
    return samples.astype(np.float32) / np.float32(FULL_SCALE)


def float_to_s16(samples: np.ndarray) -> np.ndarray:
    """Round to 16 bits, clipping anything beyond full scale."""
    scaled = np.rint(samples * FULL_SCALE)
    return np.clip(scaled, -32768, 32767).astype(np.int16)


def to_mono(block: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) block; mono stays as is."""
    if block.ndim == 1:
        return block.astype(np.float32, copy=False)
    return block.mean(axis=1, dtype=np.float32)


def interleave(mono: np.ndarray, channels: int) -> np.ndarray:
    """Copy a mono block to every channel of an interleaved frame."""
    if channels == 1:
        return mono
    return np.repeat(mono, channels)
