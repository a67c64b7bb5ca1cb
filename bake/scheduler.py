"""Run the tasks the run queue chose, in parallel worker processes.

Each task (or sstate restore) runs in a forked worker in its own process
group, so Ctrl-C can stop it with everything it started. Workers report
messages (bb.warn, bbwarn...) through a pipe; a worker has ended when it
exits, even if a background process it started still holds the pipe. A
failed task blocks the tasks after it and, unless `-k`, stops new starts; a
failed restore falls back to running the task, as BitBake's setscene does.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from bake import build, sstate, stamps
from bake.data import DataStore
from bake.runqueue import NOEXEC, RESTORE, RUN, RunQueue, TaskState
from bake.siggen import write_sigdata


@dataclass
class _Running:
    state: TaskState
    pid: int
    fd: int
    logfile: str = ""
    buffer: bytes = b""
    eof: bool = False


class Scheduler:
    """The jobs of one build and their progress."""

    def __init__(self, rq: RunQueue):
        self.rq = rq
        self.ui = rq.ui
        self.states = rq.states
        self.jobs: list[str] = []
        self.position: dict[str, int] = {}
        self.pending: dict[str, set[str]] = {}
        self.dependents: dict[str, list[str]] = {}
        self.ready: list[str] = []
        self.blocked: set[str] = set()
        self.running: dict[int, _Running] = {}
        self.processed: list[str] = []
        self.failed: list[tuple[TaskState, str]] = []
        self.stop = False
        self._add([t for t in rq.order if t in rq.needed and self.states[t].action != "current"])

    def _add(self, new: list[str]) -> None:
        """Schedule `new` tasks: each waits for its dependencies among the jobs."""
        self.jobs += new
        self.position = {t: i for i, t in enumerate(self.jobs)}
        jobs = set(self.jobs)
        done = set(self.processed)
        for t in new:
            self.dependents.setdefault(t, [])
        for t in new:
            deps = set() if self.states[t].action == RESTORE else \
                {x for x in self.rq.graph.deps[t] if x in jobs and x not in done}
            self.pending[t] = deps
            for x in deps:
                self.dependents[x].append(t)
            if not deps:
                self.ready.append(t)

    def run(self) -> bool:
        """Run every job; True if all succeeded."""
        self.rq.sstate_summary()
        self.ui.note("Executing Tasks")
        self.ui.progress(0, len(self.jobs))
        try:
            while self.ready or self.running:
                self.ready.sort(key=lambda t: (self.states[t].action != RESTORE, self.position[t]))
                while not self.stop and len(self.running) < self.rq.threads:
                    t = self._next()
                    if t is None:
                        break
                    ok = self._start(t)
                    if ok is not None:
                        self._done(t, ok)
                if self.stop and not self.running:
                    break
                for t, ok in self._wait():
                    self._done(t, ok)
        except KeyboardInterrupt:
            for job in self.running.values():
                os.killpg(job.pid, signal.SIGTERM)
            for job in self.running.values():
                os.waitpid(job.pid, 0)
            self.ui.error("Build interrupted: running tasks were stopped")
            return False
        self._summary()
        return not self.failed

    def _next(self) -> str | None:
        """The first ready task whose [number_threads] limit allows it to start now."""
        for i, t in enumerate(self.ready):
            st = self.states[t]
            limit = st.tinfo.flags.get("number_threads")
            busy = sum(1 for job in self.running.values() if job.state.task == st.task)
            if not limit or busy < int(limit):
                return self.ready.pop(i)
        return None

    def _done(self, t: str, ok: bool) -> None:
        self.processed.append(t)
        self.ui.progress(len(self.processed), len(self.jobs))
        if not ok:
            self.stop = self.stop or not self.rq.options.keep_going
            stack = list(self.dependents[t])
            while stack:
                x = stack.pop()
                if x not in self.blocked:
                    self.blocked.add(x)
                    stack.extend(self.dependents[x])
            return
        for x in self.dependents[t]:
            self.pending[x].discard(t)
            if not self.pending[x] and x not in self.blocked:
                self.ready.append(x)

    # ----- starting workers ---------------------------------------------------------------

    def _start(self, t: str) -> bool | None:
        """Start a job; returns its result at once when no worker is needed."""
        st = self.states[t]
        fn = st.info.fn
        n = len(self.processed) + len(self.running) + 1
        total = len(self.jobs)
        if st.action == RESTORE:
            self.ui.task_note(f"Running setscene task {n} of {total} "
                              f"({fn}:{st.task}_setscene)")
        else:
            noexec = "noexec " if st.action == NOEXEC else ""
            self.ui.task_note(f"Running {noexec}task {n} of {total} ({fn}:{st.task})")
        if self.rq.options.dry_run:
            return True
        if st.action == NOEXEC:
            self.rq.stamp(st)
            return True
        suffix = "_setscene" if st.action == RESTORE else ""
        self.ui.task_note(f"recipe {st.info.pf}: task {st.task}{suffix}: Started")
        if st.action == RESTORE:
            pid, fd = self._fork(lambda msg_fd: self._restore_worker(st))
            self.running[pid] = _Running(st, pid, fd)
        else:
            d = self.rq.cooker.datastore(fn)
            pid, fd = self._fork(lambda msg_fd: self._task_worker(st, d, msg_fd))
            logfile = os.path.join(d.getVar("T") or "", f"log.{st.task}.{pid}")
            self.running[pid] = _Running(st, pid, fd, logfile)
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

    def _task_worker(self, st: TaskState, d: DataStore, msg_fd: int) -> int:
        data = self.rq.sigdata(st, d)
        write_sigdata(stamps.sigdata_path(st.info.stamp, st.task, st.taskhash), data)
        after = None
        spec = st.spec
        if spec:
            def after() -> None:
                sstate.create(self.rq.archive(st), spec, data)
                if spec.pairs:
                    sstate.install(spec, st.manifest)
        return build.run_task(d, st.task, st.taskhash, msg_fd, self.rq.options.verbose, after)

    def _restore_worker(self, st: TaskState) -> int:
        archive = self.rq.archive(st)
        mirror = self.rq.mirror(st)
        if mirror:
            sstate.fetch(mirror, archive)
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

    # ----- watching workers -----------------------------------------------------------------

    def _relay(self, job: _Running) -> None:
        """Show the messages a worker sent; note when its pipe is closed."""
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

    def _wait(self) -> list[tuple[str, bool]]:
        """Relay worker messages; return the jobs that ended, with their success."""
        if not self.running:
            return []
        fds = {job.fd: job for job in self.running.values() if not job.eof}
        readable, _, _ = select.select(list(fds), [], [], 0.2)
        for fd in readable:
            self._relay(fds[fd])
        ended = []
        for job in list(self.running.values()):
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
            del self.running[job.pid]
            result = self._ended(job, os.waitstatus_to_exitcode(status))
            if result is not None:
                ended.append((job.state.tid, result))
        self.ui.refresh()
        return ended

    def _ended(self, job: _Running, code: int) -> bool | None:
        """Stamp or report a finished job; None if a failed restore was turned into a run."""
        st = job.state
        self.ui.task_ended(st.tid)
        suffix = "_setscene" if st.action == RESTORE else ""
        if code == 0:
            self.rq.stamp(st)
            self.ui.task_note(f"recipe {st.info.pf}: task {st.task}{suffix}: Succeeded")
            return True
        if st.action == RESTORE:
            self.ui.warn(f"{st.label}_setscene: restoring {self.rq.archive(st)} failed; "
                         "running the task instead")
            self._add(self.rq.fall_back(st.tid))
            self.pending[st.tid] = {x for x in self.rq.graph.deps[st.tid]
                                    if x in self.pending and x not in self.processed}
            for x in self.pending[st.tid]:
                self.dependents[x].append(st.tid)
            if not self.pending[st.tid]:
                self.ready.append(st.tid)
            return None
        self._report_failure(job, code)
        return False

    def _report_failure(self, job: _Running, code: int) -> None:
        st = job.state
        self.failed.append((st, job.logfile))
        self.ui.error(f"{st.label}: task failed (exit code {code})")
        if job.logfile and os.path.exists(job.logfile):
            self.ui.error(f"Logfile of failure stored in: {job.logfile}")
            limit = self.rq.cooker.data.getInt("BBINCLUDELOGS_LINES", 100)
            with open(job.logfile, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            self.ui.write("Log data follows:")
            for line in lines[-limit:]:
                self.ui.write(f"| {line}")
        self.ui.error(f"Task ({st.info.fn}:{st.task}) failed with exit code '{code}'")

    def _summary(self) -> None:
        """The Tasks Summary line and, on failure, the list of failed tasks."""
        done = set(self.processed)
        skipped = sum(1 for t in self.jobs if t not in done)
        attempted = len(self.states) - skipped
        ran = sum(1 for t in done if self.states[t].action == RUN)
        line = f"Tasks Summary: Attempted {attempted} tasks of which {attempted - ran} didn't " \
               "need to be rerun and "
        if not self.failed:
            self.ui.note(line + "all succeeded.")
            return
        self.ui.note(line + f"{len(self.failed)} failed.")
        plural = "s" if len(self.failed) > 1 else ""
        self.ui.write(f"\nSummary: {len(self.failed)} task{plural} failed:")
        for st, logfile in self.failed:
            self.ui.write(f"  {st.info.fn}:{st.task}")
            if logfile:
                self.ui.write(f"    log: {logfile}")
