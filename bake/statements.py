"""Parsed metadata statements and how each one changes a datastore.

The operator semantics follow BitBake's user manual: `=` sets, `?=` sets if
unset now, `??=` is a weak default read only when nothing else set the
variable, `:=` expands immediately, `+=`/`=+` add with a space and `.=`/`=.`
without, all immediately; `:append`/`:prepend`/`:remove` are kept aside and
applied when the variable is read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bake import methodpool
from bake.data import FLAG_DEFAULT, DataStore
from bake.errors import BakeError, ParseError


@dataclass
class Context:
    """State of one parse: which files were looked for and read, which class is inherited."""

    classtype: str = "recipe"
    # Every file looked for, in order, and whether it was there (read) or not.
    checked: list[tuple[str, bool]] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        """The files read."""
        return [p for p, found in self.checked if found]

    @property
    def missing(self) -> list[str]:
        """The candidates looked for that did not exist (a later one would change the parse)."""
        return [p for p, found in self.checked if not found]

    def included(self) -> list[str]:
        """Every file looked for, found or not, once each: BitBake's BBINCLUDED."""
        return list(dict.fromkeys(p for p, _ in self.checked))


@dataclass
class Statement:
    """One statement and where it was written."""

    filename: str
    lineno: int

    def eval(self, d: DataStore, ctx: Context) -> None:
        raise NotImplementedError

    def error(self, msg: str) -> ParseError:
        return ParseError(msg, self.filename, self.lineno)

    def loginfo(self, op: str) -> dict[str, Any]:
        return {"op": op, "file": self.filename, "line": self.lineno}


@dataclass
class Assign(Statement):
    """`[export] VAR[flag] <op> "value"`."""

    var: str
    flag: str | None
    op: str
    value: str
    export: bool

    def eval(self, d: DataStore, ctx: Context) -> None:
        var, flag, op, value = self.var, self.flag, self.op, self.value
        if self.export:
            d.setVarFlag(var, "export", "1", **self.loginfo("exported"))
        keyword = any(k in var for k in (":append", ":prepend", ":remove"))

        def current() -> Any:
            if keyword:
                return None
            if flag:
                return d.getVarFlag(var, flag, False, noweakdefault=True)
            return d.getVar(var, False, noweakdefault=True, parsing=True)

        if op == "?=":
            old = current()
            if old is not None:
                return
        elif op == ":=":
            value = d.createCopy().expand(value, var + "[:=]")
        elif op in ("+=", "=+", ".=", "=."):
            old = current() or ""
            value = {"+=": f"{old} {value}", "=+": f"{value} {old}",
                     ".=": old + value, "=.": value + old}[op]
        if flag:
            if op == "??=":
                d.setVarFlag(var, FLAG_DEFAULT + flag, value)
                d._record(var, op, value, self.loginfo(op), FLAG_DEFAULT + flag)
            else:
                d.setVarFlag(var, flag, value, **self.loginfo(op))
        elif op == "??=":
            d.setVarFlag(var, "_defaultval", value)
            d._record(var, "??=", value, self.loginfo(op))
        else:
            d.setVar(var, value, parsing=True, **self.loginfo(op))


@dataclass
class ExportOnly(Statement):
    """`export VAR`: mark a variable for the task environment."""

    var: str

    def eval(self, d: DataStore, ctx: Context) -> None:
        d.setVarFlag(self.var, "export", "1", **self.loginfo("exported"))


@dataclass
class Unset(Statement):
    """`unset VAR` or `unset VAR[flag]`."""

    var: str
    flag: str | None

    def eval(self, d: DataStore, ctx: Context) -> None:
        if self.flag:
            d.delVarFlag(self.var, self.flag, **self.loginfo("unset"))
        else:
            d.delVar(self.var, **self.loginfo("unset"))


@dataclass
class Include(Statement):
    """`include`, `require` or `include_all` of one or more files."""

    expr: str
    kind: str

    def eval(self, d: DataStore, ctx: Context) -> None:
        for name in d.expand(self.expr, "include").split():
            if self.kind == "include_all":
                paths = find_all(name, d, ctx)
            else:
                found = resolve_include(name, self.filename, d, ctx)
                if found is None and self.kind == "require":
                    raise self.error(f"Could not include required file {name}")
                paths = [found] if found else []
            for path in paths:
                eval_file(path, d, ctx)


@dataclass
class Inherit(Statement):
    """`inherit` (now) or `inherit_defer` (at the end of the recipe and its appends)."""

    expr: str
    defer: bool

    def eval(self, d: DataStore, ctx: Context) -> None:
        if self.defer:
            pending = d.getVar("__BBDEFINHERITS", False) or ()
            d.setVar("__BBDEFINHERITS", (*pending, (self.expr, self.filename, self.lineno)),
                     parsing=True)
            return
        for name in d.expand(self.expr, "inherit").split():
            inherit(name, d, ctx, self.filename, self.lineno)


_ANON_NAME_TABLE = str.maketrans("/.+-@%&~", "________")


@dataclass
class Function(Statement):
    """A shell or BitBake-style Python function, or an anonymous `python () {}`."""

    name: str | None
    body: str
    python: bool

    def eval(self, d: DataStore, ctx: Context) -> None:
        name = self.name
        if name in (None, "__anonymous"):
            if not self.python:
                raise self.error("anonymous functions must be Python: write 'python () {'")
            # BitBake's name: the line of the closing brace and the file name.
            closing = self.lineno + self.body.count("\n") + 1
            name = f"__anon_{closing}_{self.filename.translate(_ANON_NAME_TABLE)}"
            anon = d.getVar("__BBANONFUNCS", False) or ()
            d.setVar("__BBANONFUNCS", (*anon, name), parsing=True)
        d.setVar(name, self.body, parsing=True, **self.loginfo("function"))
        if any(k in name for k in (":append", ":prepend", ":remove")):
            return
        d.setVarFlag(name, "func", 1)
        if self.python:
            d.setVarFlag(name, "python", 1)
        elif d.getVarFlag(name, "python", False):
            d.delVarFlag(name, "python")
        d.setVarFlag(name, "filename", self.filename)
        d.setVarFlag(name, "lineno", self.lineno)


@dataclass
class PyDef(Statement):
    """A plain Python `def` function, callable from any metadata Python code."""

    name: str
    text: str

    def eval(self, d: DataStore, ctx: Context) -> None:
        try:
            methodpool.insert_def(self.name, self.text, self.filename, self.lineno)
        except SyntaxError as exc:
            raise ParseError(f"invalid Python in def {self.name}: {exc.msg}", self.filename,
                             exc.lineno or self.lineno) from exc
        d.setVar(self.name, self.text, parsing=True, **self.loginfo("def"))
        d.setVarFlags(self.name, {"func": 1, "python": 1, "filename": self.filename,
                                  "lineno": self.lineno})
        defs = d.getVar("__BBPYDEFS", False) or ()
        if self.name not in defs:
            d.setVar("__BBPYDEFS", (*defs, self.name), parsing=True)


def task_name(name: str) -> str:
    """Task names are always stored with their `do_` prefix."""
    return name if name.startswith("do_") else "do_" + name


@dataclass
class AddTask(Statement):
    """`addtask NAME [after A ...] [before B ...]`."""

    tasks: list[str]
    after: list[str]
    before: list[str]

    def eval(self, d: DataStore, ctx: Context) -> None:
        for task in map(task_name, self.tasks):
            add_task(d, task, [task_name(t) for t in self.after],
                     [task_name(t) for t in self.before])


def add_task(d: DataStore, task: str, after: list[str], before: list[str]) -> None:
    """Declare `task` and its ordering (BitBake's bb.build.addtask)."""
    d.setVarFlag(task, "task", 1)
    tasks = d.getVar("__BBTASKS", False) or ()
    if task not in tasks:
        d.setVar("__BBTASKS", (*tasks, task), parsing=True)
    deps = tuple(d.getVarFlag(task, "deps", False) or ())
    deps += tuple(a for a in after if a not in deps)
    d.setVarFlag(task, "deps", deps)
    for other in before:
        existing = tuple(d.getVarFlag(other, "deps", False) or ())
        if task not in existing:
            d.setVarFlag(other, "deps", (task, *existing))


@dataclass
class DelTask(Statement):
    """`deltask NAME...`: remove tasks; dependencies through them are not bridged."""

    tasks: list[str]

    def eval(self, d: DataStore, ctx: Context) -> None:
        for task in map(task_name, self.tasks):
            tasks = d.getVar("__BBTASKS", False) or ()
            if task in tasks:
                d.setVar("__BBTASKS", tuple(t for t in tasks if t != task), parsing=True)
            d.delVarFlag(task, "task")
            d.delVarFlag(task, "deps")
            for other in d.getVar("__BBTASKS", False) or ():
                deps = d.getVarFlag(other, "deps", False) or ()
                if task in deps:
                    d.setVarFlag(other, "deps", tuple(x for x in deps if x != task))


# The first line of a wrapper EXPORT_FUNCTIONS writes, as in BitBake: it tells a
# wrapper (which a later class may replace) from a function the metadata wrote.
EXPORT_SENTINEL = "    # Export function set\n"


@dataclass
class ExportFunctions(Statement):
    """`EXPORT_FUNCTIONS f...` in class C: `f` calls `C_f` unless already defined."""

    funcs: list[str]

    def eval(self, d: DataStore, ctx: Context) -> None:
        if not ctx.classes:
            raise self.error("EXPORT_FUNCTIONS is only allowed in a class (.bbclass)")
        classname = ctx.classes[-1]
        for func in self.funcs:
            called = f"{classname}_{func}"
            body = d.getVar(func, False)
            if body and EXPORT_SENTINEL not in body:
                continue
            python = d.getVarFlag(called, "python", False)
            if not python and "-" in classname:
                raise self.error(f"class {classname} has a '-' in its name, so the shell "
                                 f"function {called} cannot be called: rename the class")
            call = f"    bb.build.exec_func('{called}', d)\n" if python else f"    {called}\n"
            d.setVar(func, EXPORT_SENTINEL + call, parsing=True,
                     **self.loginfo("EXPORT_FUNCTIONS"))
            d.setVarFlags(func, {"func": 1, "filename": self.filename, "lineno": self.lineno})
            if python:
                d.setVarFlag(func, "python", 1)
            elif d.getVarFlag(func, "python", False):
                d.delVarFlag(func, "python")


# ----- files, includes and classes -----------------------------------------------------

def resolve_include(name: str, current: str, d: DataStore, ctx: Context) -> str | None:
    """Find an included file: as given if absolute, else next to `current`, then in BBPATH."""
    if os.path.isabs(name):
        candidates = [name]
    else:
        dirs = [os.path.dirname(current), *(d.getVar("BBPATH") or "").split(":")]
        candidates = [os.path.join(p, name) for p in dirs if p]
    for path in candidates:
        if os.path.isfile(path):
            return os.path.normpath(path)
        ctx.checked.append((path, False))
    return None


def find_all(name: str, d: DataStore, ctx: Context) -> list[str]:
    """`include_all`: the file at `name` in every BBPATH directory, in BBPATH order."""
    found = []
    for p in (d.getVar("BBPATH") or "").split(":"):
        path = os.path.join(p, name)
        if p and os.path.isfile(path):
            found.append(os.path.normpath(path))
        elif p:
            ctx.checked.append((path, False))
    return found


def find_class(name: str, d: DataStore, ctx: Context) -> str | None:
    """Locate class `name` in BBPATH: `classes-<type>/` first, then `classes/`."""
    if name.endswith(".bbclass") or "/" in name:
        return resolve_include(name, "", d, ctx)
    for sub in (f"classes-{ctx.classtype}", "classes"):
        for p in (d.getVar("BBPATH") or "").split(":"):
            if not p:
                continue
            path = os.path.join(p, sub, name + ".bbclass")
            if os.path.isfile(path):
                return os.path.normpath(path)
            ctx.checked.append((path, False))
    return None


def inherit(name: str, d: DataStore, ctx: Context, filename: str, lineno: int) -> None:
    """Inherit a class once; later inherits of the same class do nothing."""
    path = find_class(name, d, ctx)
    if path is None:
        raise ParseError(f"Could not inherit file classes/{name}.bbclass", filename, lineno)
    done = d.getVar("__inherit_cache", False) or ()
    if path in done:
        return
    d.setVar("__inherit_cache", (*done, path), parsing=True)
    classname = os.path.basename(path)[: -len(".bbclass")]
    ctx.classes.append(classname)
    try:
        eval_file(path, d, ctx)
    finally:
        ctx.classes.pop()


def eval_file(path: str, d: DataStore, ctx: Context) -> None:
    """Parse `path` and evaluate its statements; FILE names it meanwhile (not for classes).

    In a class, EXPORT_FUNCTIONS is applied after the whole class is read, so
    that it sees whether the exported `class_function` is shell or Python.
    """
    from bake.parse import parse_file

    ctx.checked.append((path, True))
    statements = parse_file(path)
    is_class = path.endswith(".bbclass")
    oldfile = d.getVar("FILE", False)
    if not is_class:
        d.setVar("FILE", path, parsing=True)
    deferred = []
    try:
        for stmt in statements:
            if is_class and isinstance(stmt, ExportFunctions):
                deferred.append(stmt)
                continue
            run_statement(stmt, d, ctx)
        for stmt in deferred:
            run_statement(stmt, d, ctx)
    finally:
        if not is_class and oldfile is not None:
            d.setVar("FILE", oldfile, parsing=True)


def run_statement(stmt: Statement, d: DataStore, ctx: Context) -> None:
    """Evaluate one statement, attributing any failure to its file and line."""
    try:
        stmt.eval(d, ctx)
    except ParseError:
        raise
    except BakeError as exc:
        raise stmt.error(str(exc)) from exc
