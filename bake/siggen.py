"""Task signatures: what a task's code reads, hashed, plus its dependencies' hashes.

The base hash of a task covers the task function and, transitively, every
variable and function its code reads: `${VAR}` references found by expansion,
shell words naming shell functions, `d.getVar("X")`-style reads and calls in
Python, every exported variable for shell code, plus `[vardeps]`, minus
`[vardepsexclude]` and the global BB_BASEHASH_IGNORE_VARS. Values are hashed
unexpanded, so ignoring TMPDIR makes signatures independent of where a build
directory lives. The task hash adds the hashes of the tasks it depends on, the
checksums of its `[file-checksums]` and a taint set by `-f`/`-C`.
"""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from dataclasses import dataclass, field
from typing import Any

from bake import codeparser
from bake.data import DataStore

# Task flags whose values count as task inputs (their references are followed).
TASK_FLAG_INPUTS = ("dirs", "cleandirs", "sstate-outputs", "sstate-inputdirs",
                    "sstate-outputdirs", "file-checksums", "umask")


@dataclass
class VarSig:
    """One input of a signature: its hashed value and the names it depends on."""

    value: str
    deps: list[str]


@dataclass
class TaskSig:
    """The inputs behind a task's base hash."""

    task: str
    basehash: str
    vars: dict[str, VarSig] = field(default_factory=dict)


def task_override(task: str) -> str:
    """The override active while `task` runs (`task-compile` for do_compile)."""
    return "task-" + task[3:].replace("_", "-")


def uses_task_overrides(d: DataStore) -> bool:
    """Whether any variable or operation of `d` is conditional on a task."""
    return any(o.startswith("task-") or ":task-" in o for o in d.override_names())


def task_datastore(d: DataStore, task: str, uses: bool | None = None) -> DataStore:
    """`d` as the task sees it: with its task override, if the metadata uses any."""
    if not (uses_task_overrides(d) if uses is None else uses):
        return d
    local = d.createCopy()
    local.setVar("OVERRIDES", f"{task_override(task)}:{d.getVar('OVERRIDES', False) or ''}")
    return local


class SignatureGenerator:
    """Computes base hashes for the tasks of one recipe datastore."""

    def __init__(self, d: DataStore):
        self.d = d
        self.ignore = set((d.getVar("BB_BASEHASH_IGNORE_VARS") or "").split())
        self.exported = {k for k in d
                         if d.getVarFlag(k, "export", False)
                         and not d.getVarFlag(k, "unexport", False)
                         and not d.getVarFlag(k, "func", False)}
        self._deps: dict[str, VarSig] = {}

    def _is_func(self, name: str, python: bool | None = None) -> bool:
        if not self.d.getVarFlag(name, "func", False):
            return False
        return python is None or bool(self.d.getVarFlag(name, "python", False)) == python

    def var_sig(self, name: str) -> VarSig:
        """The hashed value of `name` (or `NAME[flag]`) and what it depends on."""
        cached = self._deps.get(name)
        if cached is None:
            cached = self._compute(name)
            self._deps[name] = cached
        return cached

    def _compute(self, name: str) -> VarSig:
        d = self.d
        if name.endswith("]") and "[" in name:
            var, flag = name[:-1].split("[", 1)
            value = d.getVarFlag(var, flag, False)
            exp = d.expand_with_refs(value, name)
            return VarSig(str(value), sorted(exp.refs))
        value = d.getVar(name, False)
        flags = d.getVarFlags(name) or {}
        deps: set[str] = set()
        if flags.get("vardepvalue") is not None:
            value = flags["vardepvalue"]
        elif flags.get("func") and flags.get("python"):
            code = value or ""
            text = code if code.startswith("def ") else textwrap.dedent(code)
            info = codeparser.python_info(text)
            deps |= info.refs
            deps |= {x for x in info.execs if self._is_func(x)}
        elif flags.get("func"):
            exp = d.expand_with_refs(value, name)
            deps |= exp.refs | {x for x in exp.execs if self._is_func(x)}
            words = codeparser.shell_info(exp.value or "").execs
            deps |= {w for w in words if w != name and self._is_func(w, python=False)}
            deps |= self.exported
        else:
            exp = d.expand_with_refs(value, name)
            deps |= exp.refs | {x for x in exp.execs if self._is_func(x)}
        deps |= set((flags.get("vardeps") or "").split())
        deps -= set((flags.get("vardepsexclude") or "").split())
        text = "None" if value is None else str(value)
        for pattern in (flags.get("vardepvalueexclude") or "").split("|"):
            if pattern:
                text = text.replace(pattern, "")
        deps.discard(name)
        return VarSig(text, sorted(deps))

    def task_sig(self, task: str) -> TaskSig:
        """Walk everything `task` reads and hash it into the task's base hash."""
        extra = [f"{task}[{flag}]" for flag in TASK_FLAG_INPUTS
                 if self.d.getVarFlag(task, flag, False) is not None]
        for flag in ("prefuncs", "postfuncs"):
            extra += (self.d.getVarFlag(task, flag) or "").split()
        seen: dict[str, VarSig] = {}
        stack = [task, *extra]
        while stack:
            name = stack.pop()
            if name in seen or name in self.ignore:
                continue
            sig = self.var_sig(name)
            seen[name] = VarSig(sig.value, [x for x in sig.deps if x not in self.ignore])
            stack.extend(seen[name].deps)
        h = hashlib.sha256(task.encode())
        for name in sorted(seen):
            h.update(b"\0" + name.encode() + b"\0" + seen[name].value.encode())
        return TaskSig(task, h.hexdigest(), seen)


def task_hash(basehash: str, dep_hashes: dict[str, str], file_sums: list[tuple[str, str]],
              taint: str | None) -> str:
    """The full task hash: base hash, dependencies' hashes, input files, taint."""
    h = hashlib.sha256(basehash.encode())
    for dep in sorted(dep_hashes):
        h.update(f"\0dep {dep} {dep_hashes[dep]}".encode())
    for path, checksum in file_sums:
        # Only the name and content count: moving the layers keeps the signature.
        h.update(f"\0file {os.path.basename(path.rstrip('/'))} {checksum}".encode())
    if taint:
        h.update(f"\0taint {taint}".encode())
    return h.hexdigest()


def sigdata(sig: TaskSig, taskhash: str, dep_hashes: dict[str, str],
            file_sums: list[tuple[str, str]], taint: str | None,
            dep_stamps: dict[str, str]) -> dict[str, Any]:
    """Everything behind a task hash, as saved next to the stamp for bitbake-diffsigs.

    `dep_stamps` (stamp prefix of each dependency) lets a comparison find the
    dependencies' own sigdata.
    """
    return {
        "task": sig.task,
        "basehash": sig.basehash,
        "taskhash": taskhash,
        "vars": {k: {"value": v.value, "deps": v.deps} for k, v in sorted(sig.vars.items())},
        "runtaskdeps": dict(sorted(dep_hashes.items())),
        "file_checksums": [list(x) for x in file_sums],
        "taint": taint,
        "depstamps": dict(sorted(dep_stamps.items())),
    }


def write_sigdata(path: str, data: dict[str, Any]) -> None:
    """Write a sigdata file atomically."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def read_sigdata(path: str) -> dict[str, Any]:
    """Read a sigdata file written by `write_sigdata`."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)
