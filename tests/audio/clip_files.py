"""Clip files for the clip store's tests: one good file of each format, and
the ways such files come damaged (cut short, bytes flipped, headers lying)."""

from __future__ import annotations

import struct

import numpy as np

GOOD = {
    "au": ("bell.au", 8000),
    "wav": ("bell.wav", 16000),
    "mp3": ("bell.mp3", 44100),
    "opus": ("bell.opus", 48000),
    "vorbis": ("bell.ogg", 22050),
}


def truncations(data: bytes) -> list[bytes]:
    return [data[:cut] for cut in (0, 3, 12, 30, len(data) // 4, len(data) // 2, len(data) - 1)]


def _wav_damage(data: bytes) -> list[bytes]:
    tag_2 = data[:20] + struct.pack("<H", 2) + data[22:]  # ADPCM
    bad_align = data[:32] + struct.pack("<H", 3) + data[34:]
    long_data = data[:40] + struct.pack("<I", len(data)) + data[44:]
    no_fmt = data[:12] + b"junk" + data[16:]
    return [tag_2, bad_align, long_data, no_fmt]


def _au_damage(data: bytes) -> list[bytes]:
    return [data[:12] + struct.pack(">I", 99) + data[16:],
            data[:4] + struct.pack(">I", len(data) + 10) + data[8:],
            data[:8] + struct.pack(">I", len(data)) + data[12:]]


def _mp3_damage(data: bytes) -> list[bytes]:
    middle = len(data) // 2
    start = data.index(b"\xff", middle)
    return [data[:start] + b"\x00\x00\x00\x00" + data[start + 4 :],
            data[:middle] + b"garbage in the middle" + data[middle:]]


def _ogg_damage(data: bytes) -> list[bytes]:
    rng = np.random.default_rng(5)
    damaged = []
    for position in rng.integers(0, len(data), 12):
        flipped = bytearray(data)
        flipped[position] ^= 0x5A
        damaged.append(bytes(flipped))
    return damaged


DAMAGE = {"wav": _wav_damage, "au": _au_damage, "mp3": _mp3_damage, "opus": _ogg_damage,
          "vorbis": _ogg_damage}
