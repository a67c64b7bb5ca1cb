"""The suite's own layout: what several test modules share lives in helper
modules (or fixtures), never imported from another test module, where it would
tie one module's tests to another's and hide who else uses it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO


def imported_test_modules(path: Path) -> list[str]:
    """The test modules `path` imports from."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                 else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        found += [n for n in names if n.startswith("tests.") and
                  n.rsplit(".", 1)[-1].startswith("test_")]
    return found


def test_no_test_module_imports_another() -> None:
    tied = [f"{path.relative_to(REPO)} imports {module}"
            for path in sorted((REPO / "tests").rglob("test_*.py"))
            for module in imported_test_modules(path)]
    assert not tied, "move what they share into a helper module:\n" + "\n".join(tied)
