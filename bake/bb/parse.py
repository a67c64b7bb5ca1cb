"""bb.parse: recipe-file helpers and SkipRecipe."""

from __future__ import annotations

import functools
import os
from typing import Any

from bake.errors import ParseError, SkipRecipe  # noqa: F401 - SkipRecipe is part of the API


@functools.cache
def _split(path: str) -> tuple[str | None, str | None, str | None]:
    parts: list[str | None] = list(os.path.splitext(os.path.basename(path))[0].split("_"))
    if len(parts) > 3:
        raise ParseError("cannot take PN, PV and PR from the file name: it has more than two "
                         "underscores", path)
    return tuple(parts + [None] * (3 - len(parts)))  # type: ignore[return-value]


def vars_from_file(path: str | None, d: Any = None) -> tuple[str | None, str | None, str | None]:
    """PN, PV and PR from a recipe file name `pn[_pv[_pr]].bb` (None where absent).

    Only `.bb` and `.bbappend` files name a recipe (anything else gives three
    Nones), as in BitBake: bitbake.conf calls this to define PN, PV and PR, and
    it is called on every expansion of them, hence the cache.
    """
    if not path or not path.endswith((".bb", ".bbappend")):
        return None, None, None
    return _split(path)
