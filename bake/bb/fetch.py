"""bb.fetch (also bb.fetch2): where `file://` entries of SRC_URI are, for checksums.

Only local files are handled by the engine; downloading belongs to the layers'
own do_fetch tasks. `do_x[file-checksums] = "${@bb.fetch.get_checksums(d)}"`
makes the content of every local SRC_URI file part of the task's signature.
"""

from __future__ import annotations

import os
from typing import Any


def _local_names(d: Any) -> list[str]:
    names = []
    for uri in (d.getVar("SRC_URI") or "").split():
        if uri.startswith("file://"):
            names.append(uri[len("file://"):].split(";", 1)[0])
    return names


def candidates(name: str, d: Any) -> list[str]:
    """The paths searched for local file `name`: as given if absolute, else FILESPATH."""
    if os.path.isabs(name):
        return [name]
    return [os.path.join(p, name) for p in (d.getVar("FILESPATH") or "").split(":") if p]


def localpath(uri: str, d: Any) -> str | None:
    """Where a `file://` URI's file is (the first FILESPATH match), or None."""
    name = uri[len("file://"):].split(";", 1)[0] if uri.startswith("file://") else uri
    for path in candidates(name, d):
        if os.path.exists(path):
            return path
    return None


def get_checksums(d: Any) -> str:
    """`[file-checksums]` entries for the local SRC_URI files (`path:True|False`).

    Candidates searched before the file that was found are listed as missing,
    so that a file appearing earlier in FILESPATH later changes the signature.
    """
    entries = []
    for name in _local_names(d):
        for path in candidates(name, d):
            if os.path.exists(path):
                entries.append(f"{path}:True")
                break
            entries.append(f"{path}:False")
    return " ".join(entries)
