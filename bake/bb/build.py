"""bb.build: run another metadata function from Python code."""

from __future__ import annotations

from typing import Any

from bake.errors import BakeError


class FuncFailed(BakeError):
    """A function run with exec_func failed."""


def exec_func(func: str, d: Any) -> None:
    """Run shell or Python function `func` of the recipe (with its [dirs] etc.)."""
    from bake import build

    build.exec_func(func, d)
