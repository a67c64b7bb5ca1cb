"""bb.parse: recipe-file helpers and SkipRecipe."""

from __future__ import annotations

import os
from typing import Any

from bake.errors import SkipRecipe


def vars_from_file(path: str | None, d: Any = None) -> tuple[str | None, str | None, str | None]:
    """PN, PV and PR from a recipe file name `pn[_pv[_pr]].bb` (None where absent)."""
    if not path:
        return None, None, None
    name = os.path.basename(path)
    for ext in (".bbappend", ".bb"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    parts = name.split("_")
    if len(parts) > 3:
        raise SkipRecipe(f"{path}: too many underscores in the file name")
    parts += [None] * (3 - len(parts))
    return parts[0], parts[1], parts[2]
