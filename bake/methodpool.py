"""The shared Python namespace in which metadata code runs.

As in BitBake, `def` functions from recipes and classes live in one global
namespace next to `bb`, `os` and `time`; inline `${@...}` expressions, anonymous
functions and Python tasks all see them. Compiled code is cached by its text.
"""

from __future__ import annotations

import os
import re
import time
import types
from collections.abc import Callable
from typing import Any

_code_cache: dict[tuple[str, str, str], types.CodeType] = {}
_defs: dict[str, str] = {}
context: dict[str, Any] = {}


def _base_context() -> dict[str, Any]:
    from bake import bb  # the API module metadata sees as `bb`

    bb.install()
    return {"__builtins__": __builtins__, "bb": bb, "os": os, "time": time}


def get_context() -> dict[str, Any]:
    """The global namespace for metadata Python code, created on first use."""
    if not context:
        context.update(_base_context())
    return context


def compile_code(text: str, filename: str, mode: str) -> types.CodeType:
    """Compile metadata code once per distinct text."""
    key = (text, filename, mode)
    code = _code_cache.get(key)
    if code is None:
        code = compile(text, filename, mode)
        _code_cache[key] = code
    return code


def insert_def(name: str, text: str, filename: str, lineno: int = 1) -> None:
    """Make the `def` function `name` (its source `text`) callable from metadata code."""
    if _defs.get(name) == text:
        return
    source = "\n" * (lineno - 1) + text
    exec(compile_code(source, filename, "exec"), get_context())
    _defs[name] = text


def ensure_defs(d: Any) -> None:
    """Load every `def` function the datastore knows (after a parse cache hit)."""
    for name in d.getVar("__BBPYDEFS", False) or ():
        text = d.getVar(name, False)
        if text is not None and _defs.get(name) != text:
            insert_def(name, text, d.getVarFlag(name, "filename", False) or name,
                       int(d.getVarFlag(name, "lineno", False) or 1))


def function(name: str) -> Callable[..., Any] | None:
    """A `def` function by name, if one was defined."""
    value = get_context().get(name)
    return value if callable(value) else None


def run_function(name: str, d: Any) -> None:
    """Run the BitBake-style Python function `name` of datastore `d` as `name(d)`.

    The code is compiled with the metadata file name and padded to its line, so
    tracebacks point at the recipe or class where the function was written.
    """
    body = d.getVar(name, False) or ""
    filename = d.getVarFlag(name, "filename", False) or name
    lineno = int(d.getVarFlag(name, "lineno", False) or 1)
    if not any(line.strip() and not line.strip().startswith("#") for line in body.splitlines()):
        body = "    pass\n"
    ensure_defs(d)
    pyname = re.sub(r"\W", "_", name)
    source = "\n" * (lineno - 1) + f"def {pyname}(d):\n{body}"
    namespace: dict[str, Any] = {}
    exec(compile_code(source, filename, "exec"), get_context(), namespace)
    namespace[pyname](d)
