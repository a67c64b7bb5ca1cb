"""Files on the data partition that a power cut must leave whole: written
to a temporary file, synced, renamed over the old one, the directory synced,
so the file holds the old content or the new, never half of either."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TEMPORARY = ".tmp-"  # how a file cut short on its way in begins: safe to remove


def replace_atomically(path: Path, data: bytes) -> None:
    """The new file's mode is what open() would give it (0666 less the umask):
    a record written by root is one the services' user goes on reading."""
    temporary = path.with_name(f"{TEMPORARY}{path.name}-{os.urandom(6).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """Make a rename or removal in `directory` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
