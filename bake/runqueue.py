"""Decide which tasks must run, then run them in parallel worker processes.

Every task in the graph gets its full hash (base hash, dependencies' hashes,
file checksums, taint). Walking down from the targets, a task that declares
`[sstate-outputs]` and is current or has an archive in SSTATE_DIR covers the
tasks below it: they are not needed. Of the needed tasks, a stamp task is
current when its stamp for the same hash exists and none of its dependencies
runs; otherwise it runs. bake.scheduler then runs them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bake import diffsigs, sstate, stamps
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
    no_setscene: bool = False


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
        self.mirrors = sstate.parse_mirrors(d.getVar("SSTATE_MIRRORS") or "")
        self.threads = max(1, d.getInt("BB_NUMBER_THREADS", os.cpu_count() or 1))
        cache_dir = cooker.cache.dir if cooker.cache else None
        self.checksums = ChecksumCache(os.path.join(cache_dir, "checksums.json")
                                       if cache_dir else None)
        self.states: dict[str, TaskState] = {}
        self._changed: set[str] = set()
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

    def mirror(self, st: TaskState) -> str | None:
        """Where an SSTATE_MIRRORS entry has the task's archive, if not in SSTATE_DIR."""
        if not self.mirrors or sstate.exists(self.archive(st)):
            return None
        return sstate.mirror_path(os.path.relpath(self.archive(st), self.sstate_dir),
                                  self.mirrors)

    def _available(self, st: TaskState) -> bool:
        if self.options.no_setscene:
            return False
        return sstate.exists(self.archive(st)) or self.mirror(st) is not None

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
        return self._stamp_current(st) or self._available(st)

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

    def _decide(self, only: set[str] | None = None) -> None:
        """Choose each needed task's action (in dependency order)."""
        changed = self._changed
        for t in self.order:
            if t not in (self.needed if only is None else only):
                continue
            st = self.states[t]
            flags = st.tinfo.flags
            dep_changed = any(x in changed for x in self.graph.deps[t])
            if t in self.options.force:
                st.action = NOEXEC if flags.get("noexec") else RUN
            elif st.spec and self._stamp_current(st):
                st.action = CURRENT
            elif st.spec and self._available(st):
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

    def fall_back(self, t: str) -> list[str]:
        """After a failed restore of `t`: run it, and whatever it needs that is not done.

        Returns the tasks this adds to the build (besides `t` itself).
        """
        st = self.states[t]
        st.action = RUN
        added = set()
        stack = list(self.graph.deps[t])
        while stack:
            x = stack.pop()
            if x in self.needed:
                continue
            self.needed.add(x)
            added.add(x)
            if not self._covered(self.states[x]):
                stack.extend(self.graph.deps[x])
        self._decide(only=added)
        return [x for x in self.order if x in added]

    def stamp(self, st: TaskState) -> None:
        """Record that a task is done for its current hash (nostamp tasks never are)."""
        if not st.tinfo.flags.get("nostamp"):
            stamps.write(st.info.stamp, st.task, st.taskhash)

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

    # ----- reporting --------------------------------------------------------------------

    def sstate_summary(self) -> None:
        """How many of the wanted sstate tasks are current, restorable or missing."""
        wanted = [t for t in self.order if t in self.needed and self.states[t].spec]
        if not wanted:
            return
        current = sum(self.states[t].action == CURRENT for t in wanted)
        restore = [t for t in wanted if self.states[t].action == RESTORE]
        mirrors = sum(1 for t in restore if self.mirror(self.states[t]))
        local = len(restore) - mirrors
        missed = len(wanted) - current - len(restore)
        found = len(restore)
        match = 100 * found // (found + missed) if found + missed else 100
        complete = 100 * (current + found) // len(wanted)
        self.ui.note(f"Sstate summary: Wanted {len(wanted) - current} Local {local} "
                     f"Mirrors {mirrors} "
                     f"Missed {missed} Current {current} ({match}% match, {complete}% complete)")
