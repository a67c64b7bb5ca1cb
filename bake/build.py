"""Run one task, as BitBake's worker does: run files and logs in ${T}.

Shell functions are written to `${T}/run.<func>.<pid>` (exported variables,
the shell functions they call, `set -e`, `cd` to the last of [dirs]) and run
with bash in a clean environment; Python functions run in-process with `d`.
Output goes to `${T}/log.<task>.<pid>`, linked from `${T}/log.<task>`, and the
task is recorded in `${T}/log.task_order`. This module runs in the worker
process forked for the task; warnings reach the console through `msg_fd`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from typing import Any

from bake import bb, codeparser, methodpool
from bake.data import DataStore
from bake.errors import BakeError
from bake.siggen import task_override

_BAKE_DIR = os.path.dirname(os.path.abspath(__file__))
# Shell helpers available to every shell function unless the metadata defines its own.
_SHELL_HELPERS = {
    "bbplain": ('echo "$*"', "PLAIN"),
    "bbnote": ('echo "NOTE: $*"', None),
    "bbdebug": ('shift; echo "DEBUG: $*"', None),
    "bbwarn": ('echo "WARNING: $*"', "WARNING"),
    "bberror": ('echo "ERROR: $*"', "ERROR"),
    "bbfatal": ('echo "ERROR: $*"', "ERROR"),
}


class FuncFailed(BakeError):
    """A task function failed; the details are in the task log."""


class Worker:
    """The state of the worker process running one task."""

    def __init__(self, msg_fd: int | None, verbose: bool):
        self.msg_fd = msg_fd
        self.verbose = verbose

    def send(self, level: str, msg: str) -> None:
        """Show a message on the console (through the scheduler) and in the log."""
        line = f"{level}: {msg}" if level and level != "PLAIN" else msg
        print(line, flush=True)
        if self.msg_fd is not None and (level in ("PLAIN", "WARNING", "ERROR", "") or
                                         self.verbose):
            data = f"{level or 'PLAIN'}\t{msg.replace(chr(10), chr(92) + 'n')}\n".encode()
            os.write(self.msg_fd, data)


_worker = Worker(None, False)


def exported_env(d: DataStore) -> dict[str, str]:
    """The variables flagged `export` (and not `unexport`), expanded."""
    env = {}
    for key in d:
        if (d.getVarFlag(key, "export", False) and not d.getVarFlag(key, "unexport", False)
                and not d.getVarFlag(key, "func", False)):
            value = d.getVar(key)
            if value is not None:
                env[key] = str(value)
    return env


def _shell_functions(func: str, d: DataStore) -> list[str]:
    """`func` and every shell function it calls, transitively, callees first."""
    order: list[str] = []
    seen = {func}
    stack = [func]
    while stack:
        name = stack.pop()
        order.append(name)
        body = d.getVar(name) or ""
        for word in sorted(codeparser.shell_info(body).execs):
            if word not in seen and d.getVarFlag(word, "func", False) and \
                    not d.getVarFlag(word, "python", False):
                seen.add(word)
                stack.append(word)
    return list(reversed(order))


def shell_script(func: str, d: DataStore, cwd: str | None, trace: bool) -> str:
    """The run file for shell function `func`."""
    lines = ["#!/bin/bash", f"# Run file for {func}, written by Herald bake.", ""]
    for key, value in sorted(exported_env(d).items()):
        lines.append(f"export {key}={shlex.quote(value)}")
    lines.append("")
    fd = _worker.msg_fd
    for name, (body, level) in _SHELL_HELPERS.items():
        if d.getVar(name, False) is None:
            send = f" >&{fd}" if fd is not None else " >/dev/null"
            report = (f'; printf "%s\\t%s\\n" {level} "${{*//$\'\\n\'/\\\\n}}"{send}'
                      if level else "")
            tail = "; exit 1" if name == "bbfatal" else ""
            lines.append(f"{name}() {{ {body}{report}{tail}; }}")
    for name in _shell_functions(func, d):
        body = d.getVar(name) or ""
        lines += [f"{name}() {{", body.rstrip("\n") or "    :", "}", ""]
    lines.append("set -e")
    if trace:
        lines.append("set -x")
    if cwd:
        lines.append(f"cd {shlex.quote(cwd)}")
    lines.append(func)
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _lockfiles(paths: list[str]) -> Iterator[None]:
    handles = []
    try:
        for path in paths:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            f = open(path, "a+")  # noqa: SIM115 - held until the function ends
            fcntl.flock(f, fcntl.LOCK_EX)
            handles.append(f)
        yield
    finally:
        for f in handles:
            f.close()


def exec_func(func: str, d: DataStore) -> None:
    """Run shell or Python function `func` with its [cleandirs], [dirs] and [lockfiles]."""
    flags = d.getVarFlags(func) or {}
    body = d.getVar(func, False)
    if not body:
        # As in BitBake: `addtask` of a function never defined is only a warning.
        if body is None:
            bb.warn(f"Function {func} doesn't exist")
        return
    for path in d.expand(flags.get("cleandirs") or "").split():
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)
    dirs = d.expand(flags.get("dirs") or "").split()
    for path in dirs:
        os.makedirs(path, exist_ok=True)
    cwd = dirs[-1] if dirs else None
    tempdir = d.getVar("T")
    runfile = os.path.join(tempdir, f"run.{func}.{os.getpid()}")
    with _lockfiles(d.expand(flags.get("lockfiles") or "").split()):
        if flags.get("python"):
            _exec_python(func, d, cwd, runfile)
        else:
            _exec_shell(func, d, cwd, runfile)


def _link(runfile: str) -> None:
    link = runfile.rsplit(".", 1)[0]
    with contextlib.suppress(FileNotFoundError):
        os.unlink(link)
    os.symlink(os.path.basename(runfile), link)


def _exec_shell(func: str, d: DataStore, cwd: str | None, runfile: str) -> None:
    with open(runfile, "w", encoding="utf-8") as f:
        f.write(shell_script(func, d, cwd, _worker.verbose))
    os.chmod(runfile, 0o755)
    _link(runfile)
    print(f"DEBUG: Executing shell function {func}", flush=True)
    pass_fds = (_worker.msg_fd,) if _worker.msg_fd is not None else ()
    result = subprocess.run(["/bin/bash", runfile], env={}, stdin=subprocess.DEVNULL,
                            pass_fds=pass_fds, check=False)
    if result.returncode:
        raise FuncFailed(f"Execution of '{runfile}' failed with exit code {result.returncode}")
    print(f"DEBUG: Shell function {func} finished", flush=True)


def _exec_python(func: str, d: DataStore, cwd: str | None, runfile: str) -> None:
    with open(runfile, "w", encoding="utf-8") as f:
        f.write(f"def {func}(d):\n{d.getVar(func, False)}\n{func}(d)\n")
    _link(runfile)
    print(f"DEBUG: Executing python function {func}", flush=True)
    olddir = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        methodpool.run_function(func, d)
    except (FuncFailed, bb.BBHandledException):
        raise
    except Exception as exc:  # metadata code may raise anything
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if not f.filename.startswith(_BAKE_DIR)]
        print(f"ERROR: Error executing a python function in {func}:", flush=True)
        print("".join(traceback.format_list(frames)), end="")
        print(f"{type(exc).__name__}: {exc}", flush=True)
        raise FuncFailed(f"Python function {func} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        os.chdir(olddir)
    print(f"DEBUG: Python function {func} finished", flush=True)


def _open_log(tempdir: str, task: str) -> str:
    os.makedirs(tempdir, exist_ok=True)
    pid = os.getpid()
    logfile = os.path.join(tempdir, f"log.{task}.{pid}")
    fd = os.open(logfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    _link(logfile)
    with open(os.path.join(tempdir, "log.task_order"), "a", encoding="utf-8") as order:
        order.write(f"{task} ({pid}): log.{task}.{pid}\n")
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = sys.stdout
    return logfile


def prepare(d: DataStore, task: str, taskhash: str) -> None:
    """Task-specific variables: the task override and BB_TASKHASH & co."""
    overrides = d.getVar("OVERRIDES", False) or ""
    d.setVar("OVERRIDES", f"{task_override(task)}:{overrides}")
    d.setVar("BB_CURRENTTASK", task[3:])
    d.setVar("BB_RUNTASK", task)
    d.setVar("BB_TASKHASH", taskhash)
    d.setVar("BB_WORKERCONTEXT", "1")


def run_task(d: DataStore, task: str, taskhash: str, msg_fd: int | None, verbose: bool,
             after: Any = None) -> int:
    """Run `task` in this (worker) process; returns the exit status for the scheduler.

    `after` is called once the task functions succeeded (sstate archiving).
    """
    global _worker
    _worker = Worker(msg_fd, verbose)
    bb.sink = _worker.send
    prepare(d, task, taskhash)
    tempdir = d.getVar("T")
    if not tempdir:
        _worker.send("ERROR", "T variable not set, unable to build")
        return 1
    _open_log(tempdir, task)
    try:
        umask = d.getVarFlag(task, "umask")
        if umask:
            os.umask(int(umask, 8))
        env = exported_env(d)
        os.environ.clear()
        os.environ.update(env)
        for func in (d.getVarFlag(task, "prefuncs") or "").split():
            exec_func(func, d)
        exec_func(task, d)
        for func in (d.getVarFlag(task, "postfuncs") or "").split():
            exec_func(func, d)
        if after is not None:
            after()
    except bb.BBHandledException:
        return 1
    except BakeError as exc:
        print(f"ERROR: {exc}", flush=True)
        return 1
    return 0
