"""bb.data: questions about a recipe's datastore."""

from __future__ import annotations

import os
from typing import Any


def inherits_class(klass: str, d: Any) -> bool:
    """Whether the recipe inherited class `klass` (directly or through another class)."""
    return any(os.path.basename(p) == f"{klass}.bbclass"
               for p in d.getVar("__inherit_cache", False) or ())
