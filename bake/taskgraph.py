"""The task graph: which tasks of which recipes a build needs, in what order.

Edges come from `addtask ... after/before` inside a recipe, `[depends]`
(`name:do_task`, resolved through PROVIDES) and `[rdepends]` (through
RPROVIDES), `[deptask]` (that task of every DEPENDS entry), `[rdeptask]` (of
every RDEPENDS entry) and `[recrdeptask]` (of every recipe reachable through
DEPENDS, RDEPENDS and task [depends], recursively). A task id is `file:do_task`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bake.errors import BakeError
from bake.providers import Providers
from bake.recipes import RecipeInfo
from bake.statements import task_name


def tid(fn: str, task: str) -> str:
    """The id of task `task` of recipe file `fn`."""
    return f"{fn}:{task}"


def split_tid(t: str) -> tuple[str, str]:
    """(recipe file, task) of a task id."""
    fn, _, task = t.rpartition(":")
    return fn, task


@dataclass
class TaskGraph:
    """Tasks and their dependencies (each task maps to the set it waits for)."""

    deps: dict[str, set[str]] = field(default_factory=dict)

    def order(self) -> list[str]:
        """The tasks in an order where every task comes after its dependencies."""
        done: set[str] = set()
        out: list[str] = []
        for start in sorted(self.deps):
            if start in done:
                continue
            stack = [(start, iter(sorted(self.deps[start])))]
            path = {start}
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    stack.pop()
                    path.discard(node)
                    done.add(node)
                    out.append(node)
                elif nxt in path:
                    cycle = [n for n, _ in stack]
                    cycle = [*cycle[cycle.index(nxt):], nxt]
                    raise BakeError("Task dependency loop:\n  " + "\n  -> ".join(cycle))
                elif nxt not in done:
                    path.add(nxt)
                    stack.append((nxt, iter(sorted(self.deps[nxt]))))
        return out


class GraphBuilder:
    """Expands target tasks into the full graph of tasks they need."""

    def __init__(self, infos: dict[str, RecipeInfo], providers: Providers):
        self.infos = infos
        self.providers = providers
        self._checked: set[str] = set()
        self._recipe_deps: dict[str, set[str]] = {}

    def build(self, targets: list[str]) -> TaskGraph:
        """The graph of `targets` (task ids) and everything they depend on."""
        graph = TaskGraph()
        work = list(targets)
        while work:
            t = work.pop()
            if t in graph.deps:
                continue
            deps = self.task_deps(t)
            graph.deps[t] = deps
            work.extend(d for d in deps if d not in graph.deps)
        graph.order()
        return graph

    def _resolve(self, name: str, runtime: bool, needed_by: str) -> str | None:
        if self.providers.is_assumed(name):
            return None
        return self.providers.resolve(name, runtime, needed_by)

    def _check_recipe(self, fn: str) -> None:
        """Every DEPENDS and RDEPENDS entry of a recipe in the build must resolve."""
        if fn in self._checked:
            return
        self._checked.add(fn)
        info = self.infos[fn]
        for name in info.depends:
            self._resolve(name, False, info.pn)
        for name in info.rdepends:
            self._resolve(name, True, info.pn)

    def _named_task(self, fn: str, task: str, where: str) -> str:
        info = self.infos[fn]
        if task not in info.tasks:
            raise BakeError(f"{where} refers to task {task} of {info.pn}, which does not exist")
        return tid(fn, task)

    def task_deps(self, t: str) -> set[str]:
        """The tasks that task `t` directly waits for."""
        fn, task = split_tid(t)
        self._check_recipe(fn)
        info = self.infos[fn]
        if task not in info.tasks:
            raise BakeError(f"Task {task} does not exist for target {info.pn}")
        flags = info.tasks[task].flags
        where = f"{info.pn}:{task}"
        deps = {tid(fn, d) for d in info.tasks[task].deps}
        for flag, runtime in (("depends", False), ("rdepends", True)):
            for item in flags.get(flag, "").split():
                name, sep, dtask = item.rpartition(":")
                if not sep or not name:
                    raise BakeError(f"{where}[{flag}] entry '{item}' is not of the form "
                                    "name:do_task")
                dfn = self._resolve(name, runtime, where)
                if dfn:
                    deps.add(self._named_task(dfn, task_name(dtask), f"{where}[{flag}]"))
        for flag, names, runtime in (("deptask", info.depends, False),
                                     ("rdeptask", info.rdepends, True)):
            wanted = [task_name(x) for x in flags.get(flag, "").split()]
            for name in names if wanted else ():
                dfn = self._resolve(name, runtime, where)
                if dfn:
                    deps.update(tid(dfn, w) for w in wanted if w in self.infos[dfn].tasks)
        wanted = [task_name(x) for x in flags.get("recrdeptask", "").split()]
        if wanted:
            for dfn in self._recursive_recipes(fn):
                deps.update(tid(dfn, w) for w in wanted if w in self.infos[dfn].tasks)
        deps.discard(t)
        return deps

    def _direct_recipes(self, fn: str) -> set[str]:
        info = self.infos[fn]
        self._check_recipe(fn)
        found: set[str] = set()
        for names, runtime in ((info.depends, False), (info.rdepends, True)):
            for name in names:
                dfn = self._resolve(name, runtime, info.pn)
                if dfn:
                    found.add(dfn)
        for task in info.tasks.values():
            for flag, runtime in (("depends", False), ("rdepends", True)):
                for item in task.flags.get(flag, "").split():
                    name = item.rpartition(":")[0]
                    dfn = self._resolve(name, runtime, info.pn) if name else None
                    if dfn:
                        found.add(dfn)
        found.discard(fn)
        return found

    def _recursive_recipes(self, fn: str) -> set[str]:
        if fn not in self._recipe_deps:
            seen: set[str] = set()
            work = [fn]
            while work:
                for dfn in self._direct_recipes(work.pop()):
                    if dfn not in seen:
                        seen.add(dfn)
                        work.append(dfn)
            seen.discard(fn)
            self._recipe_deps[fn] = seen
        return self._recipe_deps[fn]
