"""Firmware files on their way in: written straight to the data partition.

A bundle is a few hundred megabytes and the device has little RAM (/tmp is
RAM), so an upload is never held in memory or copied: the web UI sends it in
pieces that are appended to one file, VAPIX streams it into that file. One
upload at a time: starting one removes any other. Before a byte is stored the
announced size is checked against the room left on the data partition, with
a reserve for the configuration, logs and the recordings to come.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

RESERVE_BYTES = 32 * 1024 * 1024
MAX_BUNDLE_BYTES = 2 * 1024 ** 3  # RAUC refuses bigger plain payloads; slots are smaller
CHUNK_BYTES = 8 * 1024 * 1024  # what the page sends per request
TOKEN = re.compile(r"[0-9a-f]{32}")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class UploadError(Exception):
    """The upload cannot go on; the message says why."""


def directory() -> Path:
    return settings.ENVIRONMENT.data_dir / "firmware-upload"


@dataclass(frozen=True)
class Upload:
    token: str
    size: int  # announced
    name: str  # the file name the administrator chose, for messages only

    @property
    def path(self) -> Path:
        return directory() / f"{self.token}.raucb"

    @property
    def received(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    @property
    def complete(self) -> bool:
        return self.received == self.size

    def append(self, offset: int, source: Readable, limit: int) -> int:
        """Add up to `limit` bytes read from `source` (a file-like) at `offset`."""
        if offset != self.received:
            raise UploadError(f"expected the piece at byte {self.received}, not {offset}")
        if offset + limit > self.size:
            raise UploadError("the file is bigger than announced")
        with open(self.path, "ab") as out:
            copied = _copy(source, out, limit)
        if copied != limit:
            raise UploadError("the piece arrived incomplete")
        return self.received

    def sealed(self) -> Upload:
        """The upload as received, for a stream that announced only an upper bound."""
        done = Upload(self.token, self.received, self.name)
        _meta(self.token).write_text(json.dumps({"size": done.size, "name": done.name}))
        return done

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        _meta(self.token).unlink(missing_ok=True)


def _meta(token: str) -> Path:
    return directory() / f"{token}.json"


def _copy(source: Readable, out: BinaryIO, limit: int) -> int:
    copied = 0
    while copied < limit:
        block = source.read(min(1024 * 1024, limit - copied))
        if not block:
            break
        out.write(block)
        copied += len(block)
    return copied


def start(size: object, name: object) -> Upload:
    """Make room for a new upload of `size` bytes (any earlier one is dropped)."""
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise UploadError("the size must be a positive whole number of bytes")
    if size > MAX_BUNDLE_BYTES:
        raise UploadError(f"the file is too big for a firmware bundle ({size} bytes)")
    name = name if isinstance(name, str) else ""
    discard_all()
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if size + RESERVE_BYTES > free:
        raise UploadError(f"not enough room on the device: the file needs {_mb(size)}, "
                          f"{_mb(max(free - RESERVE_BYTES, 0))} are free")
    upload = Upload(secrets.token_hex(16), size, name[:200])
    _meta(upload.token).write_text(json.dumps({"size": size, "name": upload.name}))
    upload.path.touch()
    return upload


def find(token: str) -> Upload:
    if not TOKEN.fullmatch(token):
        raise UploadError("no such upload")
    try:
        meta = json.loads(_meta(token).read_text())
    except (FileNotFoundError, ValueError):
        raise UploadError("no such upload (a newer one replaced it?)") from None
    return Upload(token, int(meta["size"]), str(meta.get("name", "")))


def discard_all() -> None:
    folder = directory()
    if folder.is_dir():
        for entry in folder.iterdir():
            entry.unlink(missing_ok=True)


def discard_partial() -> list[str]:
    """Drop the uploads left incomplete (their client's connection ended with
    the process); a complete one may be on its way to RAUC. Returns their names."""
    folder = directory()
    dropped = []
    for meta in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            upload = find(meta.stem)
        except (UploadError, KeyError, TypeError):  # unreadable: nothing can finish it
            meta.unlink(missing_ok=True)
            (folder / f"{meta.stem}.raucb").unlink(missing_ok=True)
            continue
        if not upload.complete:
            upload.discard()
            dropped.append(upload.name or upload.token)
    return dropped


def hand_over(upload: Upload) -> Path:
    """The complete file, owned by root from now on when we are root, for RAUC."""
    if not upload.complete:
        raise UploadError(f"the upload is incomplete ({upload.received} of {upload.size} bytes)")
    if os.geteuid() == 0:
        os.chown(upload.path, 0, 0)
        os.chmod(upload.path, 0o600)
    return upload.path


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"
