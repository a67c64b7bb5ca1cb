"""What `bitbake -e`, `-g`, `-s` and `-c listtasks` print or write."""

from __future__ import annotations

import os
from typing import TextIO

from bake.data import DataStore
from bake.errors import BakeError
from bake.providers import Providers
from bake.recipes import RecipeInfo
from bake.taskgraph import TaskGraph, split_tid
from bake.versions import vercmp


def _quote(value: str) -> str:
    """A value inside double quotes, escaped as BitBake's `bitbake -e` escapes it.

    Quotes, backticks and `$` are escaped, newlines continued; backslashes are
    left alone, so a value reads back as BitBake shows it.
    """
    return value.replace('"', '\\"').replace("`", "\\`").replace("\n", " \\\n") \
        .replace("$", "\\$")


def _commented(text: str, indent: str, label: str = "") -> str:
    """`text` quoted after `#<indent><label>`, every further line commented out too.

    Without this a heredoc line of a value would start a line of the output,
    and `grep ^NAME=` would find it.
    """
    return f'#{indent}{label}"' + text.replace("\n", f"\n#{indent}") + '"\n'


def _history(d: DataStore, var: str, out: TextIO) -> None:
    events = (d.history or {}).get(var, [])
    out.write(f"#\n# ${var} [{len(events)} operation{'s' if len(events) != 1 else ''}]\n")
    for op, filename, line, value, flag in events:
        where = f"{filename}:{line}" if filename else ""
        out.write(f"#   {op} {where}\n"
                  + _commented(value, "     ", f"[{flag}] " if flag else ""))
    raw = d.getVar(var, False)
    if isinstance(raw, str) and "${" in raw:
        out.write("# pre-expansion value:\n" + _commented(raw, "   "))


def emit_env(d: DataStore, out: TextIO) -> None:
    """Every variable, then the shell functions, then the Python ones, as BitBake prints them.

    Variables come expanded with their history (when recorded), conditional
    variants (`A:foo`) included; shell functions expanded, after a comment
    saying where they were written; Python functions, anonymous ones included,
    exactly as written (unexpanded), each wrapped in `python name () {...}`.
    """
    names = sorted(d)
    funcs = [k for k in names if d.getVarFlag(k, "func", False)]
    python = [k for k in funcs if d.getVarFlag(k, "python", False)]
    for var in names:
        if var.startswith("__") or var in funcs:
            continue
        try:
            value = d.getVar(var)
        except BakeError as exc:
            out.write(f"# expansion of {var} threw {type(exc).__name__}: {exc}\n")
            continue
        if d.history is not None:
            _history(d, var, out)
        if value is not None:
            export = "export " if d.getVarFlag(var, "export", False) else ""
            out.write(f"{export}{var}=\"{_quote(str(value))}\"\n")
    for func in funcs:
        if func in python or func.startswith("__"):
            continue
        try:
            body = str(d.getVar(func)).rstrip("\n")
        except BakeError as exc:
            out.write(f"# expansion of {func} threw {type(exc).__name__}: {exc}\n")
            continue
        out.write(f"# line: {d.getVarFlag(func, 'lineno', False)}, file: "
                  f"{d.getVarFlag(func, 'filename', False)}\n{func}() {{\n{body}\n}}\n\n")
    out.write("\n")
    anonymous = set(d.getVar("__BBANONFUNCS", False) or ())
    for func in python:
        body = d.getVar(func, False)
        if func in anonymous:
            body = f"def {func}(d):\n{body}"
        out.write(f"\npython {func} () {{\n{body}}}\n\n")


def write_dot(graph: TaskGraph, infos: dict[str, RecipeInfo], directory: str) -> list[str]:
    """task-depends.dot and pn-buildlist, as `bitbake -g` writes them."""
    def label(t: str) -> str:
        fn, task = split_tid(t)
        return f"{infos[fn].pn}.{task}"

    dot = os.path.join(directory, "task-depends.dot")
    with open(dot, "w", encoding="utf-8") as f:
        f.write("digraph depends {\n")
        for t in sorted(graph.deps, key=label):
            fn, _ = split_tid(t)
            f.write(f'"{label(t)}" [label="{label(t)}\\n{infos[fn].pv}\\n{fn}"]\n')
            for x in sorted(graph.deps[t], key=label):
                f.write(f'"{label(t)}" -> "{label(x)}"\n')
        f.write("}\n")
    buildlist = os.path.join(directory, "pn-buildlist")
    pns = sorted({infos[split_tid(t)[0]].pn for t in graph.deps})
    with open(buildlist, "w", encoding="utf-8") as f:
        f.write("".join(pn + "\n" for pn in pns))
    return [buildlist, dot]


def _version(info: RecipeInfo) -> str:
    return f"{info.pe}:{info.pv}-{info.pr}"


def show_versions(infos: dict[str, RecipeInfo], providers: Providers, out: TextIO) -> None:
    """The latest and the preferred version of every recipe (`bitbake -s`)."""
    out.write(f"{'Recipe Name':<50} {'Latest Version':<25} {'Preferred Version':<25}\n")
    out.write(f"{'===========':<50} {'==============':<25} {'=================':<25}\n\n")
    by_pn: dict[str, list[str]] = {}
    for fn, info in infos.items():
        if not info.skipped:
            by_pn.setdefault(info.pn, []).append(fn)
    for pn in sorted(by_pn):
        fns = by_pn[pn]
        latest = infos[fns[0]]
        for fn in fns[1:]:
            i = infos[fn]
            if vercmp((i.pe, i.pv, i.pr), (latest.pe, latest.pv, latest.pr)) > 0:
                latest = i
        preferred = infos[providers.best_version(fns)]
        shown = "" if preferred is latest else _version(preferred)
        out.write(f"{pn:<50} {_version(latest):<25} {shown:<25}\n")


def list_tasks(d: DataStore, info: RecipeInfo, out: TextIO) -> None:
    """The tasks of a recipe with their [doc] flags (`-c listtasks`)."""
    for task in sorted(info.tasks):
        doc = d.getVarFlag(task, "doc") or ""
        out.write(f"{task:<20} {doc}\n")
