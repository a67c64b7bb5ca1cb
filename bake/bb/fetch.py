"""bb.fetch (also bb.fetch2): where `file://` entries of SRC_URI are, for checksums.

Only local files are handled by the engine; downloading belongs to the layers'
own do_fetch tasks. As with BitBake's fetcher,
`do_x[file-checksums] = "${@bb.fetch.get_checksum_file_list(d)}"` makes the
content of every local SRC_URI file part of the task's signature.
"""

from __future__ import annotations

import os
from typing import Any

from bake import bb


def _local_names(d: Any) -> list[str]:
    src_uri = d.getVar("SRC_URI")
    if src_uri is None:
        # BitBake's fetcher fails on it too: metadata that passes here must pass there.
        bb.fatal(f"{d.getVar('PN')}: SRC_URI is not set (BitBake's fetcher needs it, "
                 'if only as SRC_URI ??= "" in bitbake.conf)')
    names = []
    for uri in src_uri.split():
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


def get_checksum_file_list(d: Any) -> str:
    """`[file-checksums]` entries for the local SRC_URI files (`path:True|False`).

    Candidates searched before the file that was found are listed as missing,
    so that a file appearing earlier in FILESPATH later changes the signature.
    A file found nowhere stops the parse, as in BitBake.
    """
    entries = []
    for name in _local_names(d):
        searched = []
        for path in candidates(name, d):
            if os.path.exists(path):
                entries += [f"{p}:False" for p in searched] + [f"{path}:True"]
                break
            searched.append(path)
        else:
            bb.fatal(f"{d.getVar('PN')}: SRC_URI entry file://{name} not found; searched:\n"
                     + "\n".join(searched))
    return " ".join(entries)
