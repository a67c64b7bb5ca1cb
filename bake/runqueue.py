"""Decide which tasks must run, then run them in parallel worker processes.

Every task in the graph gets its full hash (base hash, dependencies' hashes,
file checksums, taint). Walking down from the targets, a task that declares
`[sstate-outputs]` and is current or has an archive in SSTATE_DIR covers the
tasks below it: they are not needed. Of the needed tasks, a stamp task is
current when its stamp for the same hash exists and none of its dependencies
runs; otherwise it runs. Up to BB_NUMBER_THREADS workers (forked processes)
run tasks whose dependencies are done; a failure stops the build unless `-k`.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bake import build, diffsigs, sstate, stamps
from bake.checksums import ChecksumCache
from bake.cooker import Cooker
from bake.data import DataStore
from bake.recipes import RecipeInfo, TaskInfo
from bake.siggen import (
    SignatureGenerator,
    read_sigdata,
    sigdata,
    task_datastore,
    task_hash,
    write_sigdata,
)
from bake.taskgraph import TaskGraph, split_tid
from bake.ui import UI

CURRENT, RESTORE, RUN, NOEXEC = "current", "restore", "run", "noexec"


@dataclass
class Options:
    """Command-line choices that change how tasks are run."""

    force: set[str] = field(default_factory=set)
    dry_run: bool = False
    keep_going: bool = False
    verbose: bool = False


@dataclass
class TaskState:
    """One task of the graph: its hash and what this build does with it."""

    tid: str
    info: RecipeInfo
    task: str
    taskhash: str = ""
    dep_hashes: dict[str, str] = field(default_factory=dict)
    dep_stamps: dict[str, str] = field(default_factory=dict)
    file_sums: list[tuple[str, str]] = field(default_factory=list)
    taint: str | None = None
    action: str = CURRENT

    @property
    def tinfo(self) -> TaskInfo:
        return self.info.tasks[self.task]

    @property
    def spec(self) -> sstate.Spec:
        return sstate.Spec.from_flags(self.tinfo.flags)

    @property
    def manifest(self) -> str:
        return stamps.manifest_path(self.info.stamp, self.task)

    @property
    def label_id(self) -> str:
        """`pn:do_task`, how dependencies are named in signatures."""
        return f"{self.info.pn}:{self.task}"

    @property
    def label(self) -> str:
        return f"{self.info.pf} {self.task}"


@dataclass
class _Running:
    state: TaskState
    pid: int
    fd: int
    buffer: bytes = b""
    logfile: str = ""
    eof: bool = False


class RunQueue:
    """The tasks of one build, their hashes, and their execution."""

    def __init__(self, cooker: Cooker, graph: TaskGraph, targets: list[str], options: Options):
        self.cooker = cooker
        self.ui: UI = cooker.ui
        self.graph = graph
        self.targets = targets
        self.options = options
        self.order = graph.order()
        d = cooker.data
        self.sstate_dir = d.getVar("SSTATE_DIR") or os.path.join(cooker.topdir, "sstate-cache")
        self.threads = max(1, int(d.getVar("BB_NUMBER_THREADS") or os.cpu_count() or 1))
        cache_dir = cooker.cache.dir if cooker.cache else None
        self.checksums = ChecksumCache(os.path.join(cache_dir, "checksums.json")
                                       if cache_dir else None)
        self.states: dict[str, TaskState] = {}
        self.failed: list[tuple[TaskState, str]] = []
        self._hash_all()
        self.checksums.save()
        self.needed = self._needed()
        self._decide()

    # ----- hashes and decisions ---------------------------------------------------------

    def _hash_all(self) -> None:
        for t in self.order:
            fn, task = split_tid(t)
            info = self.cooker.infos[fn]
            st = TaskState(t, info, task)
            deps = [self.states[x] for x in self.graph.deps[t]]
            st.dep_hashes = {x.label_id: x.taskhash for x in deps}
            st.dep_stamps = {x.label_id: x.info.stamp for x in deps}
            st.file_sums = self.checksums.entries_for(st.tinfo.flags.get("file-checksums", ""))
            st.taint = stamps.read_taint(info.stamp, task)
            st.taskhash = task_hash(st.tinfo.basehash, st.dep_hashes, st.file_sums, st.taint)
            self.states[t] = st

    def archive(self, st: TaskState) -> str:
        """The sstate archive of a task's current hash."""
        i = st.info
        return sstate.archive_path(self.sstate_dir, i.pn, i.pv, i.pr, st.task, st.taskhash)

    def _stamp_current(self, st: TaskState) -> bool:
        return not st.tinfo.flags.get("nostamp") and \
            stamps.is_current(st.info.stamp, st.task, st.taskhash)

    def _covered(self, st: TaskState) -> bool:
        if st.tid in self.options.force or not st.spec:
            return False
        return self._stamp_current(st) or sstate.exists(self.archive(st))

    def _needed(self) -> set[str]:
        needed: set[str] = set()
        stack = list(self.targets)
        while stack:
            t = stack.pop()
            if t in needed:
                continue
            needed.add(t)
            if not self._covered(self.states[t]):
                stack.extend(self.graph.deps[t])
        return needed

    def _decide(self) -> None:
        changed: set[str] = set()
        for t in self.order:
            if t not in self.needed:
                continue
            st = self.states[t]
            flags = st.tinfo.flags
            dep_changed = any(x in changed for x in self.graph.deps[t])
            if t in self.options.force:
                st.action = NOEXEC if flags.get("noexec") else RUN
            elif st.spec and self._stamp_current(st):
                st.action = CURRENT
            elif st.spec and sstate.exists(self.archive(st)):
                st.action = RESTORE
            elif self._stamp_current(st) and not dep_changed:
                st.action = CURRENT
            else:
                st.action = NOEXEC if flags.get("noexec") else RUN
            forced = t in self.options.force
            if st.action == RUN or (st.action == NOEXEC and (dep_changed or forced)):
                changed.add(t)
            self.ui.debug(1, f"{st.label_id} ({st.taskhash[:12]}): {st.action}"
                             f"{' (forced)' if forced else ''}"
                             f"{' (a dependency runs)' if dep_changed else ''}")

    def actions(self) -> dict[str, str]:
        """What this build does with each needed task."""
        return {t: self.states[t].action for t in self.order if t in self.needed}

    # ----- execution --------------------------------------------------------------------

    def execute(self) -> bool:
        """Run the needed tasks; True if all succeeded."""
        jobs = [t for t in self.order if t in self.needed and self.states[t].action != CURRENT]
        wanted = [t for t in self.order if t in self.needed and self.states[t].spec]
        self._sstate_summary(wanted)
        self.ui.note("Executing Tasks")
        pending = {t: {x for x in self.graph.deps[t] if x in jobs}
                   if self.states[t].action != RESTORE else set() for t in jobs}
        dependents: dict[str, list[str]] = {t: [] for t in jobs}
        for t, deps in pending.items():
            for x in deps:
                dependents[x].append(t)
        ready = [t for t in jobs if not pending[t]]
        running: dict[int, _Running] = {}
        processed: list[str] = []
        stop = False
        blocked: set[str] = set()
        total = len(jobs)
        self.ui.progress(0, total)
        try:
            while ready or running:
                ready.sort(key=lambda t: (self.states[t].action != RESTORE, jobs.index(t)))
                while not stop and len(running) < self.threads:
                    t = self._next(ready, running)
                    if t is None:
                        break
                    ok = self._start(t, running, len(processed) + len(running) + 1, total)
                    if ok is not None:
                        processed.append(t)
                        self._finished(t, ok, pending, dependents, ready, blocked)
                        stop = stop or (not ok and not self.options.keep_going)
                if stop and not running:
                    break
                for t, ok in self._wait(running):
                    processed.append(t)
                    self.ui.progress(len(processed), total)
                    self._finished(t, ok, pending, dependents, ready, blocked)
                    stop = stop or (not ok and not self.options.keep_going)
        except KeyboardInterrupt:
            for job in running.values():
                os.killpg(job.pid, signal.SIGTERM)
            for job in running.values():
                os.waitpid(job.pid, 0)
            self.ui.error("Build interrupted: running tasks were stopped")
            return False
        self._summary(processed)
        return not self.failed

    def _next(self, ready: list[str], running: dict[int, _Running]) -> str | None:
        """The first ready task whose [number_threads] limit allows it to start now."""
        for i, t in enumerate(ready):
            st = self.states[t]
            limit = st.tinfo.flags.get("number_threads")
            if limit and sum(1 for job in running.values() if job.state.task == st.task) \
                    >= int(limit):
                continue
            return ready.pop(i)
        return None

    def _finished(self, t: str, ok: bool, pending: dict[str, set[str]],
                  dependents: dict[str, list[str]], ready: list[str], blocked: set[str]) -> None:
        if not ok:
            stack = list(dependents[t])
            while stack:
                x = stack.pop()
                if x not in blocked:
                    blocked.add(x)
                    stack.extend(dependents[x])
            return
        for x in dependents[t]:
            pending[x].discard(t)
            if not pending[x] and x not in blocked:
                ready.append(x)

    def _start(self, t: str, running: dict[int, _Running], n: int, total: int) -> bool | None:
        """Start a job; returns its result at once when no worker is needed."""
        st = self.states[t]
        fn = st.info.fn
        if st.action == RESTORE:
            self.ui.task_note(f"Running setscene task {n} of {total} "
                              f"({fn}:{st.task}_setscene)")
        else:
            self.ui.task_note(f"Running {'noexec ' if st.action == NOEXEC else ''}task {n} of "
                         f"{total} ({fn}:{st.task})")
        if self.options.dry_run:
            return True
        if st.action == NOEXEC:
            self._stamp(st)
            return True
        suffix = "_setscene" if st.action == RESTORE else ""
        self.ui.task_note(f"recipe {st.info.pf}: task {st.task}{suffix}: Started")
        if st.action == RESTORE:
            pid, fd = self._fork(lambda msg_fd: self._restore_worker(st))
        else:
            d = self.cooker.datastore(fn)
            pid, fd = self._fork(lambda msg_fd: self._task_worker(st, d, msg_fd))
            tempdir = d.getVar("T") or ""
            running[pid] = _Running(st, pid, fd, logfile=os.path.join(tempdir,
                                                                      f"log.{st.task}.{pid}"))
            self.ui.task_started(t, st.label, pid)
            return None
        running[pid] = _Running(st, pid, fd)
        self.ui.task_started(t, st.label + suffix, pid)
        return None

    def _fork(self, work: Callable[[int], int]) -> tuple[int, int]:
        r, w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(r)
                os.setpgid(0, 0)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                code = work(w)
            except BaseException:  # the worker must never return into the scheduler
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(w)
        return pid, r

    def sigdata(self, st: TaskState, d: DataStore) -> dict[str, Any]:
        """The inputs behind a task's current hash."""
        sig = SignatureGenerator(task_datastore(d, st.task)).task_sig(st.task)
        return sigdata(sig, st.taskhash, st.dep_hashes, st.file_sums, st.taint, st.dep_stamps)

    def explain(self) -> list[str]:
        """Why each task about to run has a new signature (`bitbake -S printdiff`).

        Tasks whose only change is a dependency's hash are explained by that
        dependency, so only the tasks where a change starts are shown.
        """
        out = []
        resolve = diffsigs.resolver(self.sstate_dir)
        for t in self.order:
            st = self.states[t]
            if t not in self.needed or st.action not in (RUN, RESTORE):
                continue
            previous = [p for p in stamps.sigdata_files(st.info.stamp, st.task)
                        if not p.endswith(st.taskhash)]
            if not previous:
                out.append(f"{st.label_id}: no previous signature (it never ran)")
                continue
            old = read_sigdata(previous[-1])
            new = self.sigdata(st, self.cooker.datastore(st.info.fn))
            lines = diffsigs.compare(old, new, resolve)
            if lines and not all(line.startswith(("Dependency on task", "  ")) for line in lines):
                out.append(f"{st.label_id}: signature changed:")
                out += [f"  {line}" for line in lines if not line.startswith(("Dependency", "  "))]
        return out

    def _task_worker(self, st: TaskState, d: DataStore, msg_fd: int) -> int:
        data = self.sigdata(st, d)
        write_sigdata(stamps.sigdata_path(st.info.stamp, st.task, st.taskhash), data)
        after = None
        spec = st.spec
        if spec:
            def after() -> None:
                sstate.create(self.archive(st), spec, data)
                if spec.pairs:
                    sstate.install(spec, st.manifest)
        return build.run_task(d, st.task, st.taskhash, msg_fd, self.options.verbose, after)

    def _restore_worker(self, st: TaskState) -> int:
        archive = self.archive(st)
        sstate.restore(archive, st.spec, st.manifest)
        siginfo = archive + ".siginfo"
        if os.path.exists(siginfo):
            with open(siginfo, encoding="utf-8") as f:
                text = f.read()
            path = stamps.sigdata_path(st.info.stamp, st.task, st.taskhash)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return 0

    def _relay(self, job: _Running) -> None:
        """Show the messages a worker sent; notes when its end of the pipe is closed."""
        try:
            chunk = os.read(job.fd, 65536)
        except BlockingIOError:
            return
        if not chunk:
            job.eof = True
        job.buffer += chunk
        *lines, job.buffer = job.buffer.split(b"\n")
        for line in lines:
            level, _, msg = line.decode(errors="replace").partition("\t")
            self.ui.message(level, f"{job.state.label}: {msg.replace(chr(92) + 'n', chr(10))}")

    def _wait(self, running: dict[int, _Running]) -> list[tuple[str, bool]]:
        """Relay worker messages; return the jobs that ended, with their success.

        A worker has ended when it exits, even if a process it started in the
        background still holds the message pipe open.
        """
        if not running:
            return []
        fds = {job.fd: job for job in running.values() if not job.eof}
        readable, _, _ = select.select(list(fds), [], [], 0.2)
        for fd in readable:
            self._relay(fds[fd])
        ended = []
        for job in list(running.values()):
            # End of the pipe means the worker closed it: it is exiting, wait for it.
            pid, status = os.waitpid(job.pid, 0 if job.eof else os.WNOHANG)
            if not pid:
                continue
            os.set_blocking(job.fd, False)
            while not job.eof and select.select([job.fd], [], [], 0)[0]:
                before = len(job.buffer)
                self._relay(job)
                if len(job.buffer) == before and not job.eof:
                    break
            os.close(job.fd)
            del running[job.pid]
            ended.append((job.state.tid, self._ended(job, os.waitstatus_to_exitcode(status))))
        self.ui.refresh()
        return ended

    def _ended(self, job: _Running, code: int) -> bool:
        st = job.state
        self.ui.task_ended(st.tid)
        suffix = "_setscene" if st.action == RESTORE else ""
        if code == 0:
            self._stamp(st)
            self.ui.task_note(f"recipe {st.info.pf}: task {st.task}{suffix}: Succeeded")
            return True
        self._report_failure(job, code)
        return False

    def _stamp(self, st: TaskState) -> None:
        if not st.tinfo.flags.get("nostamp"):
            stamps.write(st.info.stamp, st.task, st.taskhash)

    def _report_failure(self, job: _Running, code: int) -> None:
        st = job.state
        self.failed.append((st, job.logfile))
        if st.action == RESTORE:
            self.ui.error(f"{st.label}_setscene: restoring {self.archive(st)} failed")
            return
        self.ui.error(f"{st.label}: task failed (exit code {code})")
        if job.logfile and os.path.exists(job.logfile):
            self.ui.error(f"Logfile of failure stored in: {job.logfile}")
            limit = int(self.cooker.data.getVar("BBINCLUDELOGS_LINES") or 100)
            with open(job.logfile, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            self.ui.write("Log data follows:")
            for line in lines[-limit:]:
                self.ui.write(f"| {line}")
        self.ui.error(f"Task ({st.info.fn}:{st.task}) failed with exit code '{code}'")

    # ----- reporting --------------------------------------------------------------------

    def _sstate_summary(self, wanted: list[str]) -> None:
        if not wanted:
            return
        current = sum(self.states[t].action == CURRENT for t in wanted)
        local = sum(self.states[t].action == RESTORE for t in wanted)
        missed = len(wanted) - current - local
        match = 100 * local // (local + missed) if local + missed else 100
        complete = 100 * (current + local) // len(wanted)
        self.ui.note(f"Sstate summary: Wanted {len(wanted) - current} Local {local} Mirrors 0 "
                     f"Missed {missed} Current {current} ({match}% match, {complete}% complete)")

    def _summary(self, processed: list[str]) -> None:
        skipped = sum(1 for t in self.needed
                      if self.states[t].action != CURRENT and t not in processed)
        attempted = len(self.states) - skipped
        ran = sum(1 for t in processed if self.states[t].action == RUN)
        line = f"Tasks Summary: Attempted {attempted} tasks of which {attempted - ran} didn't " \
               "need to be rerun and "
        if not self.failed:
            self.ui.note(line + "all succeeded.")
            return
        self.ui.note(line + f"{len(self.failed)} failed.")
        self.ui.write(f"\nSummary: {len(self.failed)} task{'s' if len(self.failed) > 1 else ''}"
                      " failed:")
        for st, logfile in self.failed:
            self.ui.write(f"  {st.info.fn}:{st.task}")
            if logfile:
                self.ui.write(f"    log: {logfile}")
