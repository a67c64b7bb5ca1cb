"""Gains in decibels and the ramps that change them without a click."""

from __future__ import annotations

import numpy as np


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def ramp(current: float, target: float, seconds: float, rate: int, frames: int) -> np.ndarray:
    """Per-sample gains gliding from `current` to `target`, a full swing taking `seconds`."""
    if current == target:
        return np.full(frames, current, dtype=np.float32)
    step = 1.0 / max(seconds * rate, 1.0)
    steps = np.arange(1, frames + 1, dtype=np.float32) * step
    if target > current:
        return np.minimum(current + steps, target).astype(np.float32)
    return np.maximum(current - steps, target).astype(np.float32)
