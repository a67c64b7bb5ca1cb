"""Things that make sound: clips, tones and live streams.

A source hands out mono float32 samples at the engine's rate, one block at
a time, from the playback thread. It never blocks there: a clip is decoded
ahead by a thread of its own and a live stream is filled from the network,
so a source that has nothing yet answers with silence and counts an
underrun.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from herald.audio.decode import decoded_blocks

log = logging.getLogger(__name__)

END_FADE_SECONDS = 0.003  # a clip's last samples fade out, so its end never clicks
PREFETCH_BLOCKS = 8
PRIME_SECONDS = 0.25  # decoded before playing starts, a margin for a busy machine
CATCH_UP_FACTOR = 2  # a live stream buffered beyond this many prebuffers plays faster
THROTTLE_MEMORY = 1.0  # seconds a sender that had to wait counts as faster than real time


class Source:
    """What the mixer asks of every source."""

    kind = "source"
    finished = False  # nothing more will come
    failed: str | None = None  # why it ended early, if it did
    underruns = 0

    @property
    def ready(self) -> bool:
        """Whether it has sound to start with (a live stream waits to fill its buffer)."""
        return True

    def read(self, frames: int) -> np.ndarray:
        """Up to `frames` samples; fewer only at the end."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source holds; called once it stops playing."""


class ClipSource(Source):
    """A clip file, played `repeat` + 1 times (forever if `repeat` is -1)."""

    kind = "clip"

    def __init__(self, path: Path, rate: int, repeat: int = 0) -> None:
        self.path, self.rate, self.repeat = path, rate, repeat
        self.blocks = self._faded(self._repeated())
        self.queue: queue.Queue[np.ndarray | None] = queue.Queue(PREFETCH_BLOCKS)
        self.cancelled = threading.Event()
        self.pending = np.zeros(0, dtype=np.float32)
        self.ended = False  # the decoder has delivered everything
        self.thread = threading.Thread(target=self._decode, name=f"decode {path.name}",
                                       daemon=True)

    def prime(self) -> None:
        """Decode the first PRIME_SECONDS here and the rest in the background.

        Raises what decoding raises, so a bad file fails the play request.
        """
        first = []
        for block in self.blocks:
            first.append(block)
            if sum(len(b) for b in first) >= PRIME_SECONDS * self.rate:
                break
        else:
            self.ended = True
        self.pending = np.concatenate(first) if first else np.zeros(0, dtype=np.float32)
        if not self.ended:
            self.thread.start()

    def _repeated(self) -> Iterator[np.ndarray]:
        plays = 0
        while self.repeat < 0 or plays <= self.repeat:
            produced = False
            for block in decoded_blocks(self.path, self.rate):
                produced = produced or block.size > 0
                yield block
            if not produced:
                return
            plays += 1

    def _faded(self, blocks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
        """Pass blocks through one behind, to fade the very last one."""
        previous = None
        for block in blocks:
            if previous is not None:
                yield previous
            previous = block
        if previous is not None:
            length = min(len(previous), int(END_FADE_SECONDS * self.rate))
            if length:
                previous = previous.copy()
                previous[-length:] *= np.linspace(1.0, 0.0, length, dtype=np.float32)
            yield previous

    def _decode(self) -> None:
        try:
            for block in self.blocks:
                if not self._put(block):
                    return
        except Exception as exc:  # a file that breaks mid-way ends the clip, not the engine
            log.warning("clip %s stopped: %s", self.path, exc)
            self.failed = str(exc)
        self._put(None)

    def _put(self, item: np.ndarray | None) -> bool:
        while not self.cancelled.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read(self, frames: int) -> np.ndarray:
        parts, have = [self.pending], len(self.pending)
        while have < frames and not self.ended:
            try:
                block = self.queue.get_nowait()
            except queue.Empty:
                self.underruns += 1
                parts.append(np.zeros(frames - have, dtype=np.float32))
                have = frames
                break
            if block is None:
                self.ended = True
            else:
                parts.append(block)
                have += len(block)
        joined = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self.pending = joined[frames:]
        self.finished = self.ended and not len(self.pending)
        return joined[:frames]

    def close(self) -> None:
        self.cancelled.set()


class ToneSource(Source):
    """A sine tone: for locating the device, tests and signals."""

    kind = "tone"

    def __init__(self, rate: int, frequency: float, seconds: float, level_dbfs: float) -> None:
        if not 20 <= frequency <= rate / 2 * 0.9:
            raise ValueError(f"frequency {frequency} Hz is out of range")
        if not 0 < seconds <= 60:
            raise ValueError("a tone lasts more than 0 and at most 60 s")
        if not -60 <= level_dbfs <= 0:
            raise ValueError("the tone level must be -60 to 0 dBFS")
        self.rate, self.frequency = rate, frequency
        self.total = int(seconds * rate)
        self.amplitude = np.float32(10 ** (level_dbfs / 20))
        self.position = 0

    def read(self, frames: int) -> np.ndarray:
        count = min(frames, self.total - self.position)
        t = (self.position + np.arange(count)) / self.rate
        block = (self.amplitude * np.sin(2 * np.pi * self.frequency * t)).astype(np.float32)
        fade = int(END_FADE_SECONDS * self.rate)
        ramp_up = np.clip((self.position + np.arange(count)) / fade, 0, 1)
        ramp_down = np.clip((self.total - self.position - np.arange(count)) / fade, 0, 1)
        block *= np.minimum(ramp_up, ramp_down).astype(np.float32)
        self.position += count
        self.finished = self.position >= self.total
        return block


class LiveSource(Source):
    """Audio arriving over the network, through a small jitter buffer.

    Playback starts once `prebuffer` frames have arrived and starts over
    the same way after running dry, so network jitter up to the prebuffer
    costs nothing. The writer waits for `space()` before pushing, which
    bounds the delay to `capacity` frames.
    """

    kind = "live"

    def __init__(self, prebuffer: int, capacity: int) -> None:
        self.prebuffer, self.capacity = prebuffer, max(capacity, prebuffer)
        self.blocks: deque[np.ndarray] = deque()
        self.buffered = 0
        self.primed = False
        self.ended = False
        self.lock = threading.Lock()
        self.frames_in = 0
        self.frames_out = 0
        self.throttled = 0.0

    @property
    def ready(self) -> bool:
        with self.lock:
            return self.primed or self.buffered >= self.prebuffer or (self.ended and self.buffered)

    def space(self) -> int:
        with self.lock:
            return self.capacity - self.buffered

    def throttle(self) -> None:
        """The writer had to wait for room: it sends faster than real time."""
        self.throttled = time.monotonic()

    def push(self, samples: np.ndarray) -> None:
        with self.lock:
            self.blocks.append(samples)
            self.buffered += len(samples)
            self.frames_in += len(samples)

    def end(self) -> None:
        """No more audio will arrive; play what is buffered, then finish."""
        with self.lock:
            self.ended = True
            self.finished = self.buffered == 0

    def read(self, frames: int) -> np.ndarray:
        with self.lock:
            if not self.primed:
                if self.buffered < self.prebuffer and not self.ended:
                    return np.zeros(frames, dtype=np.float32)
                self.primed = True
            if (self.buffered > CATCH_UP_FACTOR * self.prebuffer and not self.ended
                    and time.monotonic() - self.throttled > THROTTLE_MEMORY):
                # A real-time sender's delay grew (the network stalled, then caught up):
                # play a little faster until it is back, 1 % at a time, too little to
                # hear. A sender faster than real time (a file) is held back instead.
                taken = self._take(frames + max(1, frames // 100))
                return np.interp(np.linspace(0, len(taken) - 1, frames), np.arange(len(taken)),
                                 taken).astype(np.float32)
            return self._take(frames)

    def _take(self, frames: int) -> np.ndarray:
        """Up to `frames` from the buffer (the lock is held), silence after a dry spell."""
        parts, have = [], 0
        while have < frames and self.blocks:
            block = self.blocks.popleft()
            take = min(frames - have, len(block))
            parts.append(block[:take])
            if take < len(block):
                self.blocks.appendleft(block[take:])
            have += take
        self.buffered -= have
        self.frames_out += have
        if have < frames:
            if self.ended:
                self.finished = True
            else:
                self.underruns += 1
                self.primed = False  # buffer up again before going on
                parts.append(np.zeros(frames - have, dtype=np.float32))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
