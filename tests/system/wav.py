"""The virtual machine's speaker, heard from the host: QEMU's WAV audiodev file."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def qemu_wav(path: Path) -> tuple[np.ndarray, int]:
    """What QEMU's wav audiodev wrote so far, mono float. Its header gets its
    lengths only when QEMU exits, so the length is the file's."""
    data = path.read_bytes() if path.exists() else b""
    if len(data) < 44:
        return np.zeros(0, dtype=np.float32), 48000
    channels, rate = struct.unpack_from("<HI", data, 22)
    bits = struct.unpack_from("<H", data, 34)[0]
    assert bits == 16, f"QEMU wrote {bits}-bit audio"
    body = data[44 : 44 + (len(data) - 44) // (2 * channels) * 2 * channels]
    frames = np.frombuffer(body, dtype="<i2").reshape(-1, channels)
    return frames.mean(axis=1).astype(np.float32) / 32768, rate
