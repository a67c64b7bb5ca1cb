"""Checksums of a task's input files ([file-checksums]), remembered by stat.

Entries are paths (globs allowed), optionally suffixed `:True`/`:False` as
BitBake writes them. A directory counts with every file below it. Checksums
are kept in the parse cache directory keyed by (mtime, size, inode), so an
unchanged file is not read again.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os

from bake.bb.utils import sha256_file

# Directories that never count as task input (caches and version control).
IGNORED_DIRS = frozenset(("__pycache__", ".git"))


class ChecksumCache:
    """SHA-256 of files, recomputed only when their stat data changes."""

    def __init__(self, path: str | None):
        self.path = path
        self.entries: dict[str, list[object]] = {}
        self.dirty = False
        if path:
            try:
                with open(path, encoding="utf-8") as f:
                    self.entries = json.load(f)
            except (OSError, ValueError):
                self.entries = {}

    def file(self, path: str) -> str:
        """The checksum of one file (of its target, for a symlink)."""
        st = os.stat(path)
        key = [st.st_mtime_ns, st.st_size, st.st_ino]
        entry = self.entries.get(path)
        if entry and entry[:3] == key:
            return str(entry[3])
        checksum = sha256_file(path)
        self.entries[path] = [*key, checksum]
        self.dirty = True
        return checksum

    def _tree(self, path: str) -> str:
        h = hashlib.sha256()
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(x for x in dirs if x not in IGNORED_DIRS)
            for name in sorted(files):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, path)
                if os.path.islink(full):
                    h.update(f"{rel} -> {os.readlink(full)}\n".encode())
                else:
                    h.update(f"{rel} {self.file(full)}\n".encode())
        return h.hexdigest()

    def entries_for(self, spec: str) -> list[tuple[str, str]]:
        """(path, checksum) for every entry of a [file-checksums] value."""
        out: list[tuple[str, str]] = []
        for item in spec.split():
            path = item.rsplit(":", 1)[0] if item.endswith((":True", ":False")) else item
            matches = sorted(glob.glob(path)) if glob.has_magic(path) else [path]
            for match in matches:
                if os.path.isdir(match):
                    out.append((match, "dir:" + self._tree(match)))
                elif os.path.exists(match):
                    out.append((match, self.file(match)))
                else:
                    out.append((match, "missing"))
        return out

    def save(self) -> None:
        """Persist new checksums."""
        if self.path and self.dirty:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            tmp = f"{self.path}.tmp.{os.getpid()}"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.entries, f)
            os.replace(tmp, self.path)
            self.dirty = False
