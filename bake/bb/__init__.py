"""The `bb` module as metadata Python code sees it: logging and a few helpers.

Only what bake/README.md documents exists here; metadata that reaches for
anything else fails with an AttributeError naming it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bake.errors import BakeError


class BBHandledException(BakeError):
    """A failure that was already reported (raised by bb.fatal)."""


def _print_sink(level: str, msg: str) -> None:
    print(f"{level}: {msg}" if level else msg, file=sys.stderr, flush=True)


# Where messages go: the console while parsing, the task log while a task runs.
sink: Callable[[str, str], None] = _print_sink
debug_level = 0


def plain(*args: object) -> None:
    """Print a message without a level prefix."""
    sink("", " ".join(map(str, args)))


def note(*args: object) -> None:
    """An informational message (task log; console with -v)."""
    sink("NOTE", " ".join(map(str, args)))


def debug(level: int | str, *args: object) -> None:
    """A debug message, shown from the given -D level on."""
    if not isinstance(level, int):
        args, level = (level, *args), 1
    if debug_level >= level:
        sink("DEBUG", " ".join(map(str, args)))


def warn(*args: object) -> None:
    """A warning: shown on the console and counted in the summary."""
    sink("WARNING", " ".join(map(str, args)))


def error(*args: object) -> None:
    """An error message; the build continues but will exit non-zero."""
    sink("ERROR", " ".join(map(str, args)))


def fatal(*args: object) -> None:
    """Report an error and stop the current task (or the parse)."""
    sink("ERROR", " ".join(map(str, args)))
    raise BBHandledException(" ".join(map(str, args)))


def install() -> None:
    """Make `import bb`, `import bb.utils` etc. resolve to this package."""
    from bake.bb import build, data, fetch, parse, process, utils

    this = sys.modules[__name__]
    sys.modules.setdefault("bb", this)
    for mod in (build, data, fetch, parse, process, utils):
        sys.modules.setdefault("bb." + mod.__name__.rsplit(".", 1)[1], mod)
    sys.modules.setdefault("bb.fetch2", fetch)
