"""Recording the microphone to a WAV file that a power cut cannot spoil.

The file grows as audio arrives; every SYNC_SECONDS its header is brought
up to date and everything is synced to disk, so after a power cut at most
the last few seconds are missing and the file is still a valid WAV. A
recording that resumes (a continuous recording after a reboot) first
repairs the header from the file's real length, drops a torn last sample,
and appends.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

from herald.audio.link import CaptureClient, LinkError

HEADER_BYTES = 44
SAMPLE_BYTES = 2  # 16-bit mono
SYNC_SECONDS = 2.0
RATE = 16000


def _header(rate: int, data_bytes: int) -> bytes:
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, 1,
                       rate, rate * SAMPLE_BYTES, SAMPLE_BYTES, 16, b"data", data_bytes)


class WavRecorder:
    def __init__(self, path: Path, rate: int = RATE) -> None:
        self.path, self.rate = path, rate
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
        size = os.fstat(self.fd).st_size
        if size < HEADER_BYTES:
            self.data_bytes = 0
            os.ftruncate(self.fd, 0)
        else:  # resume: whatever made it to disk counts, up to the last whole sample
            self.data_bytes = (size - HEADER_BYTES) // SAMPLE_BYTES * SAMPLE_BYTES
            os.ftruncate(self.fd, HEADER_BYTES + self.data_bytes)
        os.pwrite(self.fd, _header(rate, self.data_bytes), 0)
        os.lseek(self.fd, 0, os.SEEK_END)
        self._sync()

    @property
    def seconds(self) -> float:
        return self.data_bytes / SAMPLE_BYTES / self.rate

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)
        self.data_bytes += len(data)
        if time.monotonic() - self.synced >= SYNC_SECONDS:
            self._sync()

    def _sync(self) -> None:
        os.pwrite(self.fd, _header(self.rate, self.data_bytes), 0)
        os.fsync(self.fd)
        self.synced = time.monotonic()

    def close(self) -> None:
        self._sync()
        os.close(self.fd)


def record(link: Path, path: Path, stopping: Callable[[], bool],
           progress: Callable[[float], None] | None = None) -> float:
    """Record the microphone into `path` until `stopping()`; returns the seconds held.

    LinkError when the microphone cannot be heard (input off, core down):
    the caller decides whether to wait and try again.
    """
    recorder = WavRecorder(path)
    try:
        with CaptureClient(link, "s16le", RATE) as client:
            partial = b""
            while not stopping():
                try:
                    data = client.read(8192)  # the microphone never pauses: no wait here
                except TimeoutError:
                    raise LinkError(503, "the microphone stream stalled") from None
                if not data:
                    raise LinkError(503, "the audio service ended the stream")
                data, partial = _whole_samples(partial + data)
                recorder.write(data)
                if progress:
                    progress(recorder.seconds)
    finally:
        recorder.close()
    return recorder.seconds


def held_seconds(path: Path, rate: int = RATE) -> float:
    """The seconds of audio a recording's file holds (0 when there is none)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0.0
    return max(0, size - HEADER_BYTES) // SAMPLE_BYTES / rate


def _whole_samples(data: bytes) -> tuple[bytes, bytes]:
    cut = len(data) - len(data) % SAMPLE_BYTES
    return data[:cut], data[cut:]
