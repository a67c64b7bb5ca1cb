"""Stamps: `${STAMP}.<task>.<hash>` marks a task done for exactly that signature.

Next to them live the task's sigdata files (`.sigdata.<hash>`, kept for
bitbake-diffsigs) and an optional taint (`.taint`) that `-f` and `-C` write so
that the task and everything after it run again.
"""

from __future__ import annotations

import glob
import os
import uuid


def stamp_path(stamp: str, task: str, taskhash: str) -> str:
    """The stamp file of `task` for signature `taskhash`."""
    return f"{stamp}.{task}.{taskhash}"


MANIFEST_SUFFIX = ".sstate.manifest"


def manifest_path(stamp: str, task: str) -> str:
    """The list of files the task's sstate outputs installed into shared directories."""
    return f"{stamp}.{task}{MANIFEST_SUFFIX}"


def sigdata_path(stamp: str, task: str, taskhash: str) -> str:
    """The sigdata file describing the inputs of signature `taskhash`."""
    return f"{stamp}.{task}.sigdata.{taskhash}"


def is_current(stamp: str, task: str, taskhash: str) -> bool:
    """Whether the task already ran (or was restored) with this signature."""
    return os.path.exists(stamp_path(stamp, task, taskhash))


def _stamps(stamp: str, task: str) -> list[str]:
    prefix = f"{stamp}.{task}."
    return [p for p in glob.glob(glob.escape(prefix) + "*")
            if "." not in p[len(prefix):] and not p.endswith(".taint")]


def write(stamp: str, task: str, taskhash: str) -> None:
    """Mark the task done for `taskhash`, replacing stamps of older signatures."""
    clear(stamp, task)
    path = stamp_path(stamp, task, taskhash)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w"):
        pass


def clear(stamp: str, task: str) -> None:
    """Forget that the task ran (its sigdata files are kept)."""
    for path in _stamps(stamp, task):
        os.unlink(path)


def sigdata_files(stamp: str, task: str) -> list[str]:
    """The task's sigdata files, newest last."""
    files = glob.glob(glob.escape(f"{stamp}.{task}.sigdata.") + "*")
    return sorted((p for p in files if not p.endswith(".tmp")), key=os.path.getmtime)


def read_taint(stamp: str, task: str) -> str | None:
    """The taint of a task forced with -f or -C, if any."""
    try:
        with open(f"{stamp}.{task}.taint", encoding="utf-8") as f:
            return f.read().strip() or None
    except FileNotFoundError:
        return None


def taint(stamp: str, task: str) -> None:
    """Give the task a new random taint: its signature, and its dependents', change."""
    path = f"{stamp}.{task}.taint"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"nostamp:{uuid.uuid4()}\n")
    clear(stamp, task)
