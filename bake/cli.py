"""The `bitbake` command line (the subset documented in bake/README.md)."""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import bake
from bake import bb, clean, reports, stamps
from bake.conf import find_topdir, signature_warnings
from bake.cooker import Cooker
from bake.errors import BakeError
from bake.runqueue import Options, RunQueue
from bake.scheduler import Scheduler
from bake.statements import task_name
from bake.taskgraph import GraphBuilder, TaskGraph, split_tid, tid
from bake.ui import UI


def version_string() -> str:
    """What --version prints."""
    return f"BitBake Build Tool Core version {bake.BITBAKE_COMPAT} (Herald bake {bake.__version__})"


def make_parser() -> argparse.ArgumentParser:
    """The options BitBake users know, limited to the supported subset."""
    p = argparse.ArgumentParser(
        prog="bitbake", usage="bitbake [options] [recipename/target recipe:do_task ...]",
        description="Executes the specified task (default is 'build') for the given targets "
                    "and everything they depend on (Herald's BitBake-compatible engine).")
    p.add_argument("targets", nargs="*", metavar="target")
    p.add_argument("--version", action="store_true", help="Show the version and exit.")
    p.add_argument("-c", "--cmd", help="Run TASK for the targets (e.g. compile, listtasks).")
    p.add_argument("-C", "--clear-stamp", metavar="TASK",
                   help="Invalidate the stamp of TASK, then run the default task (or -c's).")
    p.add_argument("-f", "--force", action="store_true",
                   help="Run the specified task even if it is up to date.")
    p.add_argument("-k", "--continue", dest="keep_going", action="store_true",
                   help="Continue as much as possible after an error.")
    p.add_argument("-n", "--dry-run", action="store_true",
                   help="Show what would run, without running anything.")
    p.add_argument("-e", "--environment", action="store_true",
                   help="Show the global or per-recipe environment (with variable history).")
    p.add_argument("-g", "--graphviz", action="store_true",
                   help="Write the task graph to task-depends.dot and pn-buildlist.")
    p.add_argument("-s", "--show-versions", action="store_true",
                   help="Show the latest and preferred version of every recipe.")
    p.add_argument("-S", "--dump-signatures", choices=["printdiff"],
                   help="printdiff: show why tasks that would run have new signatures, "
                        "compared with their last run, without running anything.")
    p.add_argument("--no-setscene", action="store_true",
                   help="Do not restore anything from the sstate cache: run the tasks.")
    p.add_argument("-p", "--parse-only", action="store_true", help="Stop after parsing.")
    p.add_argument("--runall", action="append", default=[], metavar="TASK",
                   help="Run TASK for every recipe in the targets' task graph.")
    p.add_argument("--runonly", action="append", default=[], metavar="TASK",
                   help="Run only TASK (and what it needs) from the targets' task graph.")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="Trace shell tasks (set -x) and show task notes on the console.")
    p.add_argument("-D", "--debug", action="count", default=0, help="More debug output.")
    p.add_argument("-q", "--quiet", action="count", default=0, help="Less output.")
    return p


@contextmanager
def build_lock(topdir: str) -> Iterator[None]:
    """Only one bitbake may build in a build directory at a time."""
    path = os.path.join(topdir, "bitbake.lock")
    with open(path, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BakeError(f"Only one copy of bitbake should be run against a build "
                            f"directory: {path} is locked") from exc
        f.truncate(0)
        f.write(f"{os.getpid()}\n")
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)


def main(argv: list[str] | None = None) -> int:
    """Run the command; the exit code is 0 on success and 1 on any error."""
    args = make_parser().parse_args(argv)
    if args.version:
        print(version_string())
        return 0
    ui = UI(quiet=args.quiet, verbose=args.verbose, debug=args.debug)
    bb.sink = ui.message
    bb.debug_level = args.debug
    try:
        code = _run(args, ui)
    except BakeError as exc:
        ui.error(str(exc))
        code = 1
    except KeyboardInterrupt:
        ui.error("Interrupted")
        code = 1
    ui.summary()
    return 1 if code or ui.errors else 0


def _run(args: argparse.Namespace, ui: UI) -> int:
    topdir = find_topdir(os.getcwd())
    if args.environment:
        return _environment(args, topdir, ui)
    if not (args.targets or args.show_versions or args.parse_only):
        ui.plain("Nothing to do. Use 'bitbake world' to build everything, or run "
                 "'bitbake --help' for usage information.")
        return 1
    readonly = args.show_versions or args.parse_only or args.graphviz or args.dry_run or \
        args.dump_signatures
    if readonly:
        return _with_cooker(args, topdir, ui)
    with build_lock(topdir):
        return _with_cooker(args, topdir, ui)


def _environment(args: argparse.Namespace, topdir: str, ui: UI) -> int:
    cooker = Cooker(topdir, dict(os.environ), ui, use_cache=False, track_history=True)
    if not args.targets:
        reports.emit_env(cooker.data, sys.stdout)
        return 0
    if len(args.targets) > 1:
        raise BakeError("-e shows the environment of one recipe at a time")
    ui.quiet += 1
    cooker.parse()
    ui.quiet -= 1
    fn = cooker.recipe_for(args.targets[0].partition(":")[0])
    reports.emit_env(cooker.datastore(fn), sys.stdout)
    return 0


def _with_cooker(args: argparse.Namespace, topdir: str, ui: UI) -> int:
    cooker = Cooker(topdir, dict(os.environ), ui)
    cooker.parse()
    if args.parse_only:
        return 0
    if args.show_versions:
        reports.show_versions(cooker.infos, cooker.providers, sys.stdout)
        return 0
    default = cooker.data.getVar("BB_DEFAULT_TASK") or "build"
    task = task_name(args.cmd or default)
    if clean.is_builtin(task, cooker, args.targets):
        return clean.run(task, cooker, args.targets, sys.stdout)
    targets = cooker.target_tids(args.targets, task)
    builder = GraphBuilder(cooker.infos, cooker.providers)
    graph = builder.build(targets)
    targets, graph = _select(args, builder, graph, targets)
    if args.graphviz:
        for path in reports.write_dot(graph, cooker.infos, os.getcwd()):
            ui.note(f"Saved {os.path.basename(path)} to {path}")
        return 0
    force: set[str] = set()
    if args.clear_stamp:
        for t in cooker.target_tids(args.targets, args.clear_stamp):
            fn, ctask = split_tid(t)
            stamps.taint(cooker.infos[fn].stamp, ctask)
    if args.force:
        for t in targets:
            fn, ftask = split_tid(t)
            stamps.taint(cooker.infos[fn].stamp, ftask)
        force = set(targets)
    rq = RunQueue(cooker, graph, targets, Options(force=force, dry_run=args.dry_run,
                                                  keep_going=args.keep_going,
                                                  verbose=args.verbose,
                                                  no_setscene=args.no_setscene))
    if args.dump_signatures:
        lines = rq.explain()
        ui.plain("\n".join(lines) if lines else "No task needs to run.")
        return 0
    _banner(cooker, ui)
    for warning in signature_warnings(cooker.data):
        ui.warn(warning)
    return 0 if Scheduler(rq).run() else 1


def _select(args: argparse.Namespace, builder: GraphBuilder, graph: TaskGraph,
            targets: list[str]) -> tuple[list[str], TaskGraph]:
    """Apply --runall / --runonly to the targets' graph."""
    if not (args.runall or args.runonly):
        return targets, graph
    selected: list[str] = []
    if args.runall:
        wanted = {task_name(t) for t in args.runall}
        recipes = {split_tid(t)[0] for t in graph.deps}
        for fn in sorted(recipes):
            selected += [tid(fn, w) for w in sorted(wanted) if w in builder.infos[fn].tasks]
    if args.runonly:
        wanted = {task_name(t) for t in args.runonly}
        selected += [t for t in sorted(graph.deps) if split_tid(t)[1] in wanted]
    if not selected:
        raise BakeError("No recipe in the task graph of the targets has the task(s) "
                        f"{' '.join(args.runall + args.runonly)}")
    return selected, builder.build(selected)


def _banner(cooker: Cooker, ui: UI) -> None:
    d = cooker.data
    lines = [f"{'BB_VERSION':<20} = \"{bake.BITBAKE_COMPAT}\""]
    for var in (d.getVar("BUILDCFG_VARS") or "MACHINE DISTRO DISTRO_VERSION").split():
        value = d.getVar(var)
        if value is not None:
            lines.append(f"{var:<20} = \"{value}\"")
    for layer in cooker.config.layers:
        lines.append(f"{os.path.basename(layer):<20} = \"{layer}\"")
    ui.plain("\nBuild Configuration:\n" + "\n".join(lines) + "\n")


def console_main() -> None:
    """Entry point of the `bitbake` wrapper."""
    sys.exit(main())
