"""Check a whole verity bundle against its signed root hash before RAUC writes.

RAUC verifies a verity bundle's signature up front, but that signature covers
only the manifest (with the dm-verity root hash of the payload); the payload
itself is checked block by block while RAUC copies it into the inactive slot.
A damaged bundle would so be found half-way, after the firmware a rollback
returns to has been overwritten. Herald reads the payload once beforehand,
recomputes its hash tree and compares it with the one in the bundle and with
the signed root hash, so a damaged bundle changes nothing.

Layout of a RAUC verity bundle: the squashfs (a multiple of 4096 bytes), its
dm-verity hash tree (format 1: SHA-256 of salt + block, 4096-byte blocks,
the top level first), the CMS signature, and the signature's size as a
big-endian 64-bit number.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

BLOCK = 4096
DIGEST = 32
PER_BLOCK = BLOCK // DIGEST
READ_SIZE = 256 * BLOCK

Progress = Callable[[int], None]


class PayloadDamaged(Exception):
    """The bundle's content does not match its signed root hash."""


def level_sizes(data_blocks: int) -> list[int]:
    """Hash blocks of each tree level, the level over the data first."""
    sizes: list[int] = []
    below = data_blocks
    while below > 1:
        below = -(-below // PER_BLOCK)
        sizes.append(below)
    return sizes


def _digests(read: Callable[[int], bytes], blocks: int, salt: bytes,
             progress: Callable[[int], None] | None = None) -> bytes:
    """Digests of `blocks` blocks from `read`, packed into zero-padded hash blocks."""
    salted = hashlib.sha256(salt)
    out = bytearray()
    done = 0
    while done < blocks:
        chunk = read(min(READ_SIZE, (blocks - done) * BLOCK))
        if len(chunk) % BLOCK or not chunk:
            raise PayloadDamaged("the bundle ends before its content does")
        for offset in range(0, len(chunk), BLOCK):
            h = salted.copy()
            h.update(chunk[offset:offset + BLOCK])
            out += h.digest()
        done += len(chunk) // BLOCK
        if progress is not None:
            progress(done)
    out += bytes(-len(out) % BLOCK)
    return bytes(out)


def check_payload(path: Path, root_hash: str, salt: str, verity_size: int,
                  progress: Progress | None = None) -> None:
    """Raise PayloadDamaged unless the bundle at `path` matches the signed values
    (`root_hash`, `salt` in hex, `verity_size` in bytes, from its manifest);
    `progress` gets the percentage read."""
    try:
        salt_bytes, root = bytes.fromhex(salt), bytes.fromhex(root_hash)
    except ValueError:
        raise PayloadDamaged("the bundle's manifest has no valid verity hash") from None
    with open(path, "rb") as bundle:
        size = os.fstat(bundle.fileno()).st_size
        if size < 8:
            raise PayloadDamaged("the bundle is empty")
        bundle.seek(size - 8)
        signature_size = int.from_bytes(bundle.read(8), "big")
        data_size = size - 8 - signature_size - verity_size
        data_blocks = data_size // BLOCK
        sizes = level_sizes(data_blocks)
        if data_size <= 0 or data_size % BLOCK or sum(sizes) * BLOCK != verity_size:
            raise PayloadDamaged("the bundle's size does not match its signed manifest")

        bundle.seek(0)
        report = None if progress is None else (
            lambda blocks: progress(blocks * 100 // data_blocks))
        level = _digests(bundle.read, data_blocks, salt_bytes, report)
        # Stored levels: the top one right after the data, the lowest last.
        starts = {}
        position = data_blocks
        for index in reversed(range(len(sizes))):
            starts[index] = position
            position += sizes[index]
        for index, blocks in enumerate(sizes):
            bundle.seek(starts[index] * BLOCK)
            if bundle.read(blocks * BLOCK) != level:
                raise PayloadDamaged(
                    f"the bundle's content is damaged (hash level {index} does not match)")
            if index + 1 < len(sizes):
                level = _digests(_reader(level), blocks, salt_bytes)
        if not sizes:  # a single data block is its own top level
            bundle.seek(0)
            level = bundle.read(BLOCK)
        top = hashlib.sha256(salt_bytes + level).digest()
    if top != root:
        raise PayloadDamaged("the bundle's content does not match its signature")


def _reader(data: bytes) -> Callable[[int], bytes]:
    position = 0

    def read(count: int) -> bytes:
        nonlocal position
        chunk = data[position:position + count]
        position += count
        return chunk

    return read
