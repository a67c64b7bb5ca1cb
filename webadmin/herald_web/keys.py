"""Secrets made on first start, kept in the data directory, never committed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret(directory: Path, name: str, nbytes: int = 48) -> str:
    """The secret `name`, created (readable by the owner only) if missing.

    Processes starting together agree on one value: each writes a candidate
    and links it into place; the link fails for all but the first.
    """
    path = directory / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    candidate = directory / f".{name}.{os.getpid()}"
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(nbytes) + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(candidate, path)
    except FileExistsError:
        pass
    finally:
        candidate.unlink()
    return path.read_text().strip()
