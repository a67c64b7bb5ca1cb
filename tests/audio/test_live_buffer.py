"""The live jitter buffer: starts after its prebuffer, refills after running dry,
and wins back delay from a real-time sender without touching a fast one."""

from __future__ import annotations

import numpy as np

from herald.audio.sources import LiveSource


def ramp(start: int, count: int) -> np.ndarray:
    return np.arange(start, start + count, dtype=np.float32)


def test_prebuffer_underrun_and_end() -> None:
    source = LiveSource(prebuffer=100, capacity=400)
    source.push(ramp(0, 60))
    assert not source.ready and not source.read(50).any()  # waits for its prebuffer
    source.push(ramp(60, 60))
    assert source.ready
    assert list(source.read(100)) == list(range(100))
    out = source.read(50)  # 20 left: the rest is silence, and it buffers up again
    assert list(out[:20]) == list(range(100, 120)) and not out[20:].any()
    assert source.underruns == 1 and not source.ready
    source.push(ramp(120, 30))
    source.end()
    assert list(source.read(50)[:30]) == list(range(120, 150)) and source.finished


def test_a_grown_delay_is_won_back_only_from_a_real_time_sender() -> None:
    source = LiveSource(prebuffer=100, capacity=1000)
    source.push(ramp(0, 500))
    before = source.buffered
    source.read(100)
    assert before - source.buffered == 101  # 1 % faster: one extra sample per 100
    fast = LiveSource(prebuffer=100, capacity=1000)
    fast.push(ramp(0, 500))
    fast.throttle()  # its writer had to wait for room
    fast.read(100)
    assert fast.buffered == 400
    assert list(fast.read(10)) == list(range(100, 110))  # untouched samples
