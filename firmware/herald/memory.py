"""Keep a long-running service's memory small on the device."""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc mallopt() parameters
M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 4 << 20


def _mallopt(parameter: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(parameter, value))
    except (OSError, AttributeError):
        return False


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's per-thread malloc arenas (by default 8 per core, each
    growing on its own): a threaded Python server then keeps tens of MiB
    less at rest. Call before starting threads; False if libc has no mallopt."""
    return _mallopt(M_ARENA_MAX, arenas)


def release_large_blocks(size: int = LARGE_BLOCK) -> bool:
    """Give blocks of `size` bytes and more back to the system when freed.
    glibc does so for one, then raises its threshold above that block's size
    and keeps later ones of that size in the heap: each password hash
    (scrypt, 16 MiB) left herald-web 16 MiB larger for good. A threshold set
    by mallopt stays where it is set; False if libc has no mallopt."""
    return _mallopt(M_MMAP_THRESHOLD, size)
