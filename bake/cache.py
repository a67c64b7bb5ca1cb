"""The parse cache: an unchanged tree is not parsed again.

Per recipe it keeps the RecipeInfo (always loaded) and, in a separate file,
the finalised datastore as a delta from the configuration datastore (loaded
only for recipes whose tasks run or whose environment is shown). An entry is
valid while the configuration datastore hashes the same and every file the
recipe read (recipe, appends, includes, classes) has the same size and
modification time, and every include candidate that was missing still is.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from typing import Any

import bake
from bake.conf import Config
from bake.data import DataStore
from bake.recipes import RecipeInfo
from bake.statements import Context

FORMAT = 1


def engine_stamp() -> str:
    """Identifies this engine's code, so a changed engine never reads an old cache."""
    root = os.path.dirname(os.path.abspath(bake.__file__))
    h = hashlib.sha256(f"{bake.__version__}:{FORMAT}".encode())
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            st = os.stat(os.path.join(dirpath, name))
            h.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def config_hash(d: DataStore) -> str:
    """A hash of the whole configuration datastore, minus BB_HASHCONFIG_IGNORE_VARS."""
    ignore = set((d.getVar("BB_HASHCONFIG_IGNORE_VARS") or "").split())
    h = hashlib.sha256(engine_stamp().encode())
    for key, entry in sorted(d._vars.items()):
        if key not in ignore:
            h.update(f"\0{key}\0{entry!r}".encode())
    return h.hexdigest()


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class ParseCache:
    """Cached parse results of one build directory's configuration."""

    def __init__(self, config: Config):
        d = config.data
        self.base = d
        self.dir = os.path.join(d.getVar("CACHE") or os.path.join(config.topdir, "cache"),
                                "bake")
        self.index_path = os.path.join(self.dir, "recipes.pickle")
        self.confighash = config_hash(d)
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            with open(self.index_path, "rb") as f:
                index = pickle.load(f)
            if index.get("confighash") == self.confighash:
                self.entries = index["entries"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError,
                TypeError, ValueError):
            self.entries = {}

    def _datafile(self, fn: str) -> str:
        return os.path.join(self.dir, "data", hashlib.sha1(fn.encode()).hexdigest() + ".pickle")

    def load_info(self, fn: str, appends: list[str]) -> RecipeInfo | None:
        """The cached RecipeInfo of `fn` if nothing it was parsed from changed."""
        entry = self.entries.get(fn)
        if entry is None or entry["appends"] != appends:
            return None
        for path, stamp in entry["files"]:
            if _stat(path) != stamp:
                return None
        if any(os.path.exists(p) for p in entry["missing"]):
            return None
        return entry["info"]

    def store(self, info: RecipeInfo, d: DataStore, ctx: Context) -> None:
        """Remember a freshly parsed recipe."""
        files = {p: _stat(p) for p in [info.fn, *info.appends, *ctx.files]}
        blob = pickle.dumps(d.delta_from(self.base), pickle.HIGHEST_PROTOCOL)
        token = hashlib.sha256(blob).hexdigest()
        _write_atomic(self._datafile(info.fn), pickle.dumps((token, blob)))
        self.entries[info.fn] = {"appends": list(info.appends), "files": sorted(files.items()),
                                 "missing": sorted(set(ctx.missing)), "info": info,
                                 "token": token}
        self.dirty = True

    def load_data(self, fn: str) -> DataStore | None:
        """The cached datastore of `fn`, or None if it is not (validly) cached."""
        entry = self.entries.get(fn)
        if entry is None:
            return None
        try:
            with open(self._datafile(fn), "rb") as f:
                token, blob = pickle.load(f)
            if token != entry["token"]:
                return None
            return DataStore.from_delta(self.base, pickle.loads(blob))
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
            return None

    def save_index(self) -> None:
        """Write the index if anything was added."""
        if self.dirty:
            data = {"confighash": self.confighash, "entries": self.entries}
            _write_atomic(self.index_path, pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
            self.dirty = False


def _write_atomic(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
