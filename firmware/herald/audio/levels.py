"""Sound levels as the manual and VAPIX count them.

A level is the RMS of a window in dBFS (AES17: a full-scale sine is 0 dBFS)
mapped to 0..100 percent, where 0 % is -90 dBFS and 100 % is 0 dBFS
(AudioSource.A#.AlarmLevel). Detection compares that percentage to the
threshold with a little hysteresis so a level hovering at the threshold does
not flood the bus with events.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

FLOOR_DBFS = -90.0
HYSTERESIS_PERCENT = 2.0


def dbfs(block: np.ndarray) -> float:
    """RMS level of a float block in dBFS (AES17), at least FLOOR_DBFS."""
    if block.size == 0:
        return FLOOR_DBFS
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    if rms <= 0.0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 20.0 * math.log10(rms * math.sqrt(2.0)))


def percent_from_dbfs(level_dbfs: float) -> float:
    return min(100.0, max(0.0, (level_dbfs - FLOOR_DBFS) / -FLOOR_DBFS * 100.0))


def level_percent(block: np.ndarray) -> float:
    return percent_from_dbfs(dbfs(block))


LEVEL_SECONDS = 0.1


class LevelMeter:
    """Collects blocks and reports the level of every LEVEL_SECONDS of them."""

    def __init__(self, rate: int, report: Callable[[float], None]) -> None:
        self.window = int(LEVEL_SECONDS * rate)
        self.report = report
        self.blocks: list[np.ndarray] = []
        self.frames = 0

    def add(self, block: np.ndarray) -> None:
        self.blocks.append(block)
        self.frames += len(block)
        if self.frames >= self.window:
            self.report(level_percent(np.concatenate(self.blocks)))
            self.blocks, self.frames = [], 0


@dataclass
class Crossing:
    """The level went over (`above` True) or under the threshold."""

    above: bool
    level: float
    threshold: float


class LevelDetector:
    """Turns a stream of levels into threshold crossings for one input."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.above: bool | None = None

    def update(self, level: float) -> Crossing | None:
        """Feed one level; returns a crossing when the side changes.

        The first level only establishes the side (no event): what was true
        before the service started is unknown.
        """
        if self.above is None:
            self.above = level > self.threshold
            return None
        if not self.above and level > self.threshold + HYSTERESIS_PERCENT / 2:
            self.above = True
        elif self.above and level < self.threshold - HYSTERESIS_PERCENT / 2:
            self.above = False
        else:
            return None
        return Crossing(self.above, level, self.threshold)
