"""The clip store: uploaded audio clips on the data partition.

Each clip is two files named by its number: the audio as uploaded
(`7.mp3`) and its description (`7.json`). Every change is written to a
temporary file, synced and renamed into place, and the description is
written last: it is the commit. A power cut leaves either the old state or
the new one; an audio file without a description is a half-finished upload
and is removed when the store opens. Several processes use the store (the
web admin writes, the core reads), so changes take a file lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from herald.audio.clipformat import STORED_EXTENSION, ClipError, inspect_clip
from herald.audio.decode import check_decodes

MAX_NAME_LENGTH = 100
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class ClipLimits:
    """What the store accepts; the parameters MediaClip.* set these."""

    max_bytes: int = 10 * 1024 * 1024
    max_duration: float = 600.0
    max_clips: int = 50
    reserve_bytes: int = 32 * 1024 * 1024  # free space kept for the rest of /data


@dataclass(frozen=True)
class Clip:
    id: int
    name: str
    filename: str  # as uploaded
    format: str
    codec: str
    rate: int
    channels: int
    duration: float
    size: int
    added: float
    stored_as: str  # file name inside the store

    def to_dict(self) -> dict:
        return asdict(self)


class ClipNotFound(LookupError):
    def __init__(self, clip_id: int | str) -> None:
        super().__init__(f"there is no clip {clip_id}")


def clean_name(name: str) -> str:
    """A clip's display name: trimmed, printable, not empty, not too long."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise ClipError("the clip name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ClipError(f"the clip name is longer than {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ClipError("the clip name contains control characters")
    return name


class ClipStore:
    def __init__(self, directory: Path, limits: ClipLimits | None = None) -> None:
        self.directory = Path(directory)
        self.limits = limits or ClipLimits()
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._remove_unfinished()

    # -- reading ---------------------------------------------------------------

    def list(self) -> list[Clip]:
        clips = []
        for meta in self.directory.glob("*.json"):
            clip = self._load(meta)
            if clip is not None:
                clips.append(clip)
        return sorted(clips, key=lambda c: c.id)

    def get(self, clip_id: int) -> Clip:
        clip = self._load(self.directory / f"{int(clip_id)}.json")
        if clip is None:
            raise ClipNotFound(clip_id)
        return clip

    def path(self, clip: Clip) -> Path:
        return self.directory / clip.stored_as

    # -- changing --------------------------------------------------------------

    def add(self, data: bytes, filename: str, name: str | None = None) -> Clip:
        """Check an uploaded file and store it; ClipError says what is wrong."""
        limits = self.limits
        if len(data) > limits.max_bytes:
            raise ClipError(f"the file is {_mb(len(data))}; clips may be at most "
                            f"{_mb(limits.max_bytes)}")
        display = clean_name(name if name is not None else Path(filename).stem or filename)
        info = inspect_clip(data, filename)
        frames = check_decodes(data, info)
        duration = frames / info.rate
        if duration > limits.max_duration:
            raise ClipError(f"the clip is {duration:.0f} s long; clips may be at most "
                            f"{limits.max_duration:.0f} s")
        with self._locked():
            existing = self.list()
            if len(existing) >= limits.max_clips:
                raise ClipError(f"there are already {len(existing)} clips, the most the device "
                                "keeps: delete one first")
            free = shutil.disk_usage(self.directory).free
            if free - len(data) < limits.reserve_bytes:
                room = max(free - limits.reserve_bytes, 0)
                raise ClipError(f"not enough space left: {_mb(room)} free for clips, "
                                f"the file needs {_mb(len(data))}")
            clip_id = self._next_id()
            clip = Clip(
                id=clip_id, name=display, filename=Path(filename).name, format=info.format,
                codec=info.codec, rate=info.rate, channels=info.channels,
                duration=round(duration, 3), size=len(data), added=time.time(),
                stored_as=f"{clip_id}{STORED_EXTENSION[info.format]}",
            )
            self._write(self.directory / clip.stored_as, data)
            self._save(clip)
        return clip

    def rename(self, clip_id: int, name: str) -> Clip:
        display = clean_name(name)
        with self._locked():
            clip = self.get(clip_id)
            renamed = Clip(**{**clip.to_dict(), "name": display})
            self._save(renamed)
        return renamed

    def remove(self, clip_id: int) -> Clip:
        with self._locked():
            clip = self.get(clip_id)
            (self.directory / f"{clip.id}.json").unlink()  # the commit
            self._sync_directory()
            with contextlib.suppress(FileNotFoundError):
                self.path(clip).unlink()
        return clip

    # -- internals -------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.directory / LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _next_id(self) -> int:
        """One more than any number ever seen here, so old links never play a new clip."""
        used = [int(p.stem) for p in self.directory.iterdir() if p.stem.isdigit()]
        counter = self.directory / ".last-id"
        with contextlib.suppress(FileNotFoundError, ValueError):
            used.append(int(counter.read_text()))
        clip_id = max(used, default=-1) + 1
        self._write(counter, str(clip_id).encode())
        return clip_id

    def _load(self, meta: Path) -> Clip | None:
        try:
            clip = Clip(**json.loads(meta.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None
        return clip if self.path(clip).exists() else None

    def _save(self, clip: Clip) -> None:
        self._write(self.directory / f"{clip.id}.json", json.dumps(clip.to_dict()).encode())

    def _write(self, target: Path, data: bytes) -> None:
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        self._sync_directory()

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _remove_unfinished(self) -> None:
        described = {p.stem for p in self.directory.glob("*.json")}
        for path in self.directory.iterdir():
            unfinished = path.name.startswith(".tmp-") or (
                path.stem.isdigit() and path.suffix != ".json" and path.stem not in described
            )
            if unfinished:
                path.unlink()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
