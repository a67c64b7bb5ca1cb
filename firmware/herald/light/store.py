"""The light profiles, kept in one JSON file under the data directory: each
change replaces the file atomically, so a power cut leaves the old list or
the new one, never half of either."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path

from herald.files import replace_atomically
from herald.light.contract import ADD, MAX_PROFILES, OVERWRITE, REPLACE_ALL, Invalid, Profile


class ProfileStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def list(self) -> list[Profile]:
        try:
            raw = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        return [Profile.from_dict(item) for item in raw]

    def get(self, name: str) -> Profile | None:
        return next((p for p in self.list() if p.name == name), None)

    def save(self, profile: Profile, old_name: str = "") -> None:
        """Add `profile`, or put it in the place of the one named old_name."""
        with self._lock:
            profiles = self.list()
            names = [p.name for p in profiles]
            if old_name and old_name not in names:
                raise Invalid(f"There is no profile named {old_name!r}.")
            if profile.name != old_name and profile.name in names:
                raise Invalid(f"A profile named {profile.name!r} exists already.")
            if old_name:
                profiles[names.index(old_name)] = profile
            else:
                profiles.append(profile)
            self._write(profiles)

    def remove(self, name: str) -> None:
        with self._lock:
            profiles = self.list()
            if name not in (p.name for p in profiles):
                raise Invalid(f"There is no profile named {name!r}.")
            self._write([p for p in profiles if p.name != name])

    def merge(self, imported: Iterable[Profile], mode: str) -> int:
        """The manual's Import: ADD refuses names it has, OVERWRITE replaces them,
        REPLACE_ALL starts from none. All or nothing; returns how many came in."""
        imported = list(imported)
        names = [p.name for p in imported]
        if len(set(names)) != len(names):
            raise Invalid("The file names a profile twice.")
        with self._lock:
            if mode == REPLACE_ALL:
                profiles: list[Profile] = []
            elif mode in (ADD, OVERWRITE):
                profiles = self.list()
            else:
                raise Invalid(f"Import as {ADD}, {REPLACE_ALL} or {OVERWRITE}, not {mode!r}.")
            by_name = {p.name: p for p in profiles}
            clashes = [name for name in names if name in by_name]
            if mode == ADD and clashes:
                raise Invalid(f"Profiles with these names exist already: {', '.join(clashes)}.")
            by_name.update({p.name: p for p in imported})
            self._write(list(by_name.values()))
            return len(imported)

    def _write(self, profiles: list[Profile]) -> None:
        if len(profiles) > MAX_PROFILES:
            raise Invalid(f"The device keeps at most {MAX_PROFILES} profiles.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(self.path, json.dumps([p.to_dict() for p in profiles],
                                                 indent=1).encode())
