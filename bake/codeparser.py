"""Find what metadata code reads: the variables and functions behind a task's signature.

BitBake derives a task's inputs by reading its code. Shell code is scanned for
words that may name other shell functions; Python code is parsed with `ast`
for `d.getVar("X")`-style calls with literal names, `bb.build.exec_func("f")`
and calls of plain names (which may be `def` functions). Results are cached by
code text because the same class code is analysed for every recipe.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# Datastore methods whose first literal argument names a variable that is read.
_VAR_READERS = {"getVar", "appendVar", "prependVar", "getVarFlag", "appendVarFlag",
                "prependVarFlag"}
# Helpers taking a variable name as first argument (bb.utils.contains and friends).
_VAR_HELPERS = {"contains", "contains_any", "filter"}
_EXEC_HELPERS = {"exec_func"}
_VARREF_RE = re.compile(r"\$\{([a-zA-Z0-9\-_+./~:]+)\}")
_SHELL_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.+\-]*")


@dataclass(frozen=True)
class CodeInfo:
    """What a piece of code reads (`refs`) and which functions it may call (`execs`)."""

    refs: frozenset[str]
    execs: frozenset[str]


_EMPTY = CodeInfo(frozenset(), frozenset())
_python_cache: dict[tuple[str, str], CodeInfo] = {}
_shell_cache: dict[str, CodeInfo] = {}


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _visit_call(call: ast.Call, refs: set[str], execs: set[str]) -> None:
    func = call.func
    first = _literal(call.args[0]) if call.args else None
    if isinstance(func, ast.Name):
        execs.add(func.id)
        return
    if not isinstance(func, ast.Attribute):
        return
    name = func.attr
    dotted = _dotted(func)
    if name in _VAR_READERS and first is not None:
        if name.endswith("Flag") and len(call.args) > 1 and _literal(call.args[1]):
            refs.add(f"{first}[{_literal(call.args[1])}]")
        else:
            refs.add(first)
    elif name in _VAR_HELPERS and dotted.startswith("bb.utils.") and first is not None:
        refs.add(first)
    elif name in _EXEC_HELPERS and first is not None:
        execs.add(first)
    elif name == "expand" and first is not None:
        refs.update(_VARREF_RE.findall(first))


def python_info(code: str, mode: str = "exec") -> CodeInfo:
    """Analyse Python code (`mode` "eval" for inline `${@...}` expressions)."""
    key = (code, mode)
    cached = _python_cache.get(key)
    if cached is not None:
        return cached
    try:
        tree = ast.parse(code, mode=mode)
    except SyntaxError:
        # The error surfaces, with its location, when the code is run.
        _python_cache[key] = _EMPTY
        return _EMPTY
    refs: set[str] = set()
    execs: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            _visit_call(node, refs, execs)
    info = CodeInfo(frozenset(refs), frozenset(execs))
    _python_cache[key] = info
    return info


def shell_info(code: str) -> CodeInfo:
    """Analyse shell code: every word is a possible call of another shell function.

    The caller keeps only the words that name shell functions of the recipe, so
    an over-approximation costs at most a spurious dependency, never a missed one.
    """
    cached = _shell_cache.get(code)
    if cached is None:
        cached = CodeInfo(frozenset(), frozenset(_SHELL_WORD_RE.findall(code)))
        _shell_cache[code] = cached
    return cached
