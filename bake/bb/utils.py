"""bb.utils: the helpers recipes and classes commonly call."""

from __future__ import annotations

import hashlib
import os
import shutil
from typing import Any

from bake.versions import vercmp_string  # noqa: F401 - part of the bb.utils API


def mkdirhier(directory: str) -> None:
    """Create a directory and its parents; no error if it exists."""
    os.makedirs(directory, exist_ok=True)


def remove(path: str, recurse: bool = False) -> None:
    """Remove a file, or a directory tree with `recurse`; no error if missing."""
    if os.path.isdir(path) and not os.path.islink(path):
        if recurse:
            shutil.rmtree(path)
        else:
            os.rmdir(path)
    elif os.path.lexists(path):
        os.unlink(path)


def contains(variable: str, checkvalues: str | list[str], truevalue: Any, falsevalue: Any,
             d: Any) -> Any:
    """truevalue if all of `checkvalues` are words of `variable`, else falsevalue."""
    words = set((d.getVar(variable) or "").split())
    wanted = set(checkvalues.split() if isinstance(checkvalues, str) else checkvalues)
    return truevalue if wanted.issubset(words) else falsevalue


def contains_any(variable: str, checkvalues: str | list[str], truevalue: Any, falsevalue: Any,
                 d: Any) -> Any:
    """truevalue if any of `checkvalues` is a word of `variable`, else falsevalue."""
    words = set((d.getVar(variable) or "").split())
    wanted = set(checkvalues.split() if isinstance(checkvalues, str) else checkvalues)
    return truevalue if wanted & words else falsevalue


def filter(variable: str, checkvalues: str | list[str], d: Any) -> str:
    """The words of `checkvalues` that are in `variable`, sorted, space-separated."""
    words = set((d.getVar(variable) or "").split())
    wanted = set(checkvalues.split() if isinstance(checkvalues, str) else checkvalues)
    return " ".join(sorted(wanted & words))


def to_boolean(value: Any, default: bool | None = None) -> bool | None:
    """Interpret "1/yes/y/true/t" and "0/no/n/false/f" (any case)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "yes", "y", "true", "t"):
        return True
    if text in ("0", "no", "n", "false", "f"):
        return False
    raise ValueError(f"Invalid value for to_boolean: {value}")


def which(path: str, item: str, direction: int = 0) -> str:
    """The first `item` found in the colon-separated `path` ("" if none)."""
    dirs = [p for p in path.split(":") if p]
    for p in reversed(dirs) if direction else dirs:
        candidate = os.path.join(p, item)
        if os.path.exists(candidate):
            return os.path.abspath(candidate)
    return ""


def sha256_file(path: str) -> str:
    """The SHA-256 of a file's contents, hex encoded."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def explode_deps(s: str) -> list[str]:
    """Split a dependency list, dropping version constraints such as `(>= 1.2)`."""
    out: list[str] = []
    in_constraint = False
    for word in s.split():
        if word.startswith("("):
            in_constraint = True
        if not in_constraint:
            out.append(word)
        if in_constraint and word.endswith(")"):
            in_constraint = False
    return out
