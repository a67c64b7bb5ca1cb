"""The clip store: uploaded audio clips on the data partition.

A clip is a parameter group MediaClip.M<n> (its name, as VAPIX clients list
it with param.cgi) and two files named by its number: the audio as uploaded
(`7.mp3`) and the facts about that audio (`7.json`: format, length, ...).
Adding writes and syncs the files first, then makes the group: the group is
the commit. A power cut leaves either the old state or the new one; files
without a group are a half-finished upload and are removed when the store
opens. Removing drops the group first, then the files. Several processes
use the store (the clip service in herald-system writes, herald-core reads),
so changes take a file lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import re
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath

from herald.access import Level
from herald.audio.clipformat import STORED_EXTENSION, ClipError, inspect_clip
from herald.audio.contract import MAX_CLIP_BYTES, Clip, ClipFacts, ClipNotFound
from herald.audio.params import MAX_CLIPS, MAX_NAME_LENGTH
from herald.files import TEMPORARY, replace_atomically, sync_directory
from herald.params import GroupError, ParamError, ParamStore

LOCK_FILE = ".lock"
AU_COPY = ".download.au"  # <number> + this: a clip converted for VAPIX's download
GROUP = re.compile(r"MediaClip\.M(\d+)", re.IGNORECASE)


MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ClipLimits:
    """What the store accepts; the parameters MediaClip.* set these."""

    max_bytes: int = MAX_CLIP_BYTES
    max_duration: float = 600.0
    max_clips: int = MAX_CLIPS
    reserve_bytes: int = 32 * MEGABYTE  # free space kept for the rest of /data

    @classmethod
    def from_params(cls, get: Callable[[str], str]) -> ClipLimits:
        """The limits as the parameters (e.g. a snapshot's `get`) set them now."""
        return cls(max_bytes=int(get("MediaClip.MaxUploadSize")) * MEGABYTE,
                   max_duration=float(get("MediaClip.MaxDuration")),
                   max_clips=int(get("MediaClip.MaxGroups")))


def clean_name(name: str) -> str:
    """A clip's name as parameters hold it: printable ASCII, 1 to 64 characters."""
    name = name.strip()
    if not name:
        raise ClipError("the clip name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ClipError(f"the clip name is longer than {MAX_NAME_LENGTH} characters")
    if not all(" " <= c <= "~" for c in name):
        raise ClipError("the clip name may hold printable ASCII characters only")
    return name


def name_from_file(filename: str) -> str:
    """A default name from an uploaded file's name: its stem, in ASCII."""
    stem = unicodedata.normalize("NFKD", PurePath(filename).stem)
    ascii_stem = "".join(c for c in stem if " " <= c <= "~").strip()
    return ascii_stem[:MAX_NAME_LENGTH].strip() or "clip"


class ClipStore:
    def __init__(self, directory: Path, params: ParamStore,
                 limits: ClipLimits | None = None) -> None:
        self.directory = Path(directory)
        self.params = params
        self.limits = limits or ClipLimits()
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._remove_unfinished()

    # -- reading ---------------------------------------------------------------

    def _numbers(self) -> dict[int, str]:
        """Clip number -> name, from the parameters."""
        snapshot = self.params.snapshot()
        numbers = {}
        for instance in snapshot.instances:
            if match := GROUP.fullmatch(instance):
                numbers[int(match.group(1))] = snapshot.get(f"{instance}.Name")
        return numbers

    def list(self) -> list[Clip]:
        clips = (self._clip(number, name) for number, name in sorted(self._numbers().items()))
        return [clip for clip in clips if clip is not None]

    def get(self, clip_id: int) -> Clip:
        name = self._numbers().get(int(clip_id))
        clip = self._clip(int(clip_id), name) if name is not None else None
        if clip is None:
            raise ClipNotFound(clip_id)
        return clip

    def find(self, location: str) -> Clip:
        """The first clip (by number) at `location`, as VAPIX's play takes it: a path
        matched against the clips' MediaClip.M#.Location, '*' standing for any
        characters. A name without a directory is one in the clips' directory, as
        uploaded (alarm.mp3, as scripts written for Axis devices ask) or as stored."""
        pattern = location if "/" in location else str(self.directory / location)
        wanted = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
        snapshot = self.params.snapshot()
        for clip in self.list():
            uploaded = str(self.directory / clip.filename)
            if any(wanted.fullmatch(place) for place in
                   (snapshot.get(f"MediaClip.M{clip.id}.Location"), uploaded)):
                return clip
        raise ClipNotFound(f"at {location[:100]!r}")

    def path(self, clip: Clip) -> Path:
        return self.directory / clip.stored_as

    def au_path(self, clip: Clip) -> Path:
        """The clip as VAPIX hands clips out (audio/basic): an AU file of mono 8 kHz
        mu-law, the stored file itself when it is one, else one converted from it
        (kept beside it, and removed with it)."""
        from herald.audio.decode import AU_RATE, to_au  # numpy and libsndfile: see add()

        if (clip.format, clip.codec, clip.rate, clip.channels) == ("au", "mu-law", AU_RATE, 1):
            return self.path(clip)
        converted = self.directory / f"{clip.id}{AU_COPY}"
        with self._locked():
            if not converted.exists():
                replace_atomically(converted, to_au(self.path(clip)))
        return converted

    def _clip(self, number: int, name: str) -> Clip | None:
        try:
            facts = ClipFacts(**json.loads((self.directory / f"{number}.json").read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None
        clip = Clip(**asdict(facts), id=number, name=name)
        return clip if self.path(clip).exists() else None

    # -- changing --------------------------------------------------------------

    def add(self, data: bytes, filename: str, name: str | None = None) -> Clip:
        """Check an uploaded file and store it; ClipError says what is wrong."""
        limits = self.limits
        if len(data) > limits.max_bytes:
            raise ClipError(f"the file is {_mb(len(data))}; clips may be at most "
                            f"{_mb(limits.max_bytes)}")
        display = clean_name(name) if name is not None else name_from_file(filename)
        # numpy and libsndfile load with the first upload, not with every
        # process that lists clips (the web admin's start).
        from herald.audio.decode import check_decodes

        info = inspect_clip(data, filename)
        too_long = ClipError(f"the clip is {info.duration:.0f} s long; clips may be at most "
                             f"{limits.max_duration:.0f} s")
        if info.duration > limits.max_duration:  # as its container says: nothing decoded
            raise too_long
        # A container may say less than it holds: decoding stops at the limit.
        frames = check_decodes(data, info, max_frames=int(limits.max_duration * info.rate))
        duration = frames / info.rate
        if duration > limits.max_duration:
            raise too_long
        with self._locked():
            taken = set(self._numbers())
            if len(taken) >= limits.max_clips:
                raise ClipError(f"there are already {len(taken)} clips, the most the device "
                                "keeps: delete one first")
            free = shutil.disk_usage(self.directory).free
            if free - len(data) < limits.reserve_bytes:
                room = max(free - limits.reserve_bytes, 0)
                raise ClipError(f"not enough space left: {_mb(room)} free for clips, "
                                f"the file needs {_mb(len(data))}")
            number = min(set(range(len(taken) + 1)) - taken)  # as the parameter store numbers
            facts = ClipFacts(filename=PurePath(filename).name, format=info.format,
                          codec=info.codec, rate=info.rate, channels=info.channels,
                          duration=round(duration, 3), size=len(data), added=time.time(),
                          stored_as=f"{number}{STORED_EXTENSION[info.format]}")
            replace_atomically(self.directory / facts.stored_as, data)
            replace_atomically(self.directory / f"{number}.json",
                               json.dumps(asdict(facts)).encode())
            try:
                made = self.params.add(
                    "mediaclip", "MediaClip",
                    {"MediaClip.M.Name": display,
                     "MediaClip.M.Location": str(self.directory / facts.stored_as)},
                    Level.ROOT)  # the commit
            except (GroupError, ParamError) as exc:
                self._remove_files(number)
                raise ClipError(f"the clip cannot be added: {exc}") from None
            if made != f"M{number}":  # nobody else makes clip groups: never expected
                self.params.remove([f"MediaClip.{made}"], Level.ROOT)
                self._remove_files(number)
                raise ClipError("the clip store and the parameters disagree; try again")
        return Clip(**asdict(facts), id=number, name=display)

    def rename(self, clip_id: int, name: str) -> Clip:
        display = clean_name(name)
        with self._locked():
            self.get(clip_id)
            self.params.update({f"MediaClip.M{int(clip_id)}.Name": display}, Level.OPERATOR)
        return self.get(clip_id)

    def remove(self, clip_id: int) -> Clip:
        with self._locked():
            clip = self.get(clip_id)
            self.params.remove([f"MediaClip.M{clip.id}"], Level.ROOT)  # the commit
            self._remove_files(clip.id)
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

    def _remove_files(self, number: int) -> None:
        for path in self.directory.glob(f"{number}.*"):
            path.unlink(missing_ok=True)
        sync_directory(self.directory)

    def _remove_unfinished(self) -> None:
        committed = {str(n) for n in self._numbers()}
        for path in self.directory.iterdir():
            number = path.name.split(".", 1)[0]  # 7.mp3, 7.json, 7.download.au
            if path.name.startswith(TEMPORARY) or (number.isdigit() and number not in committed):
                path.unlink()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
