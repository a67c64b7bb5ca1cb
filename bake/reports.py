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
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") \
        .replace("\n", " \\\n")


def _history(d: DataStore, var: str, out: TextIO) -> None:
    events = (d.history or {}).get(var, [])
    out.write(f"#\n# ${var} [{len(events)} operation{'s' if len(events) != 1 else ''}]\n")
    for op, filename, line, value in events:
        where = f"{filename}:{line}" if filename else ""
        out.write(f"#   {op} {where}\n#     \"{value}\"\n")
    raw = d.getVar(var, False)
    if isinstance(raw, str) and "${" in raw:
        out.write(f"# pre-expansion value:\n#   \"{raw}\"\n")


def emit_env(d: DataStore, out: TextIO) -> None:
    """Every variable and function, expanded, with its history when it was recorded."""
    names = sorted(k for k in d if not k.startswith("__") and ":" not in k)
    funcs = [k for k in names if d.getVarFlag(k, "func", False)]
    for var in [k for k in names if k not in funcs] + funcs:
        try:
            value = d.getVar(var)
        except BakeError as exc:
            out.write(f"# expansion of {var} threw {type(exc).__name__}: {exc}\n")
            continue
        if value is None:
            continue
        if d.history is not None:
            _history(d, var, out)
        if var in funcs:
            if d.getVarFlag(var, "python", False):
                text = str(value) if str(value).startswith("def ") else \
                    f"python {var} () {{\n{value}}}\n"
                out.write(f"{text}\n")
            else:
                out.write(f"{var}() {{\n{value}}}\n\n")
            continue
        export = "export " if d.getVarFlag(var, "export", False) else ""
        out.write(f"{export}{var}=\"{_quote(str(value))}\"\n")


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
