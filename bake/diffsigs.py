"""Why did a task run again? Compare the inputs behind two of its signatures.

Used by `bitbake-diffsigs` (two sigdata files, or the last two runs of a
task with `-t RECIPE TASK`) and `bitbake -S printdiff` (each task about to run
against its last run). When the only difference is a dependency's hash, the
comparison follows that dependency down to the change that caused it.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from collections.abc import Callable
from typing import Any

from bake import stamps
from bake.siggen import read_sigdata

# Finds the sigdata of `label` (pn:task) for a hash, given the stamp prefix it ran under.
Resolver = Callable[[str, str, str], "dict[str, Any] | None"]


def find_sigdata(stamp: str, task: str, taskhash: str, sstate_dir: str) -> dict[str, Any] | None:
    """The sigdata of a task hash: next to the stamps, else beside its sstate archive."""
    path = stamps.sigdata_path(stamp, task, taskhash)
    if not os.path.exists(path):
        pattern = os.path.join(glob.escape(sstate_dir), taskhash[:2],
                               f"sstate:*:{task}:{taskhash}.tar.zst.siginfo")
        found = glob.glob(pattern)
        if not found:
            return None
        path = found[0]
    return read_sigdata(path)


def _short(h: str | None) -> str:
    return (h or "none")[:12]


def compare(old: dict[str, Any], new: dict[str, Any], resolve: Resolver | None = None,
            indent: str = "") -> list[str]:
    """Human-readable differences between two sigdata of the same task."""
    out: list[str] = []
    if old["basehash"] != new["basehash"]:
        out.append(f"basehash changed from {_short(old['basehash'])} to "
                   f"{_short(new['basehash'])}")
    ovars, nvars = old["vars"], new["vars"]
    added = sorted(set(nvars) - set(ovars))
    removed = sorted(set(ovars) - set(nvars))
    if added or removed:
        out.append("Variables the task depends on changed: " +
                   ", ".join([f"+{v}" for v in added] + [f"-{v}" for v in removed]))
    for var in sorted(set(ovars) & set(nvars)):
        if ovars[var]["value"] != nvars[var]["value"]:
            out.append(f"Variable {var} value changed from '{ovars[var]['value']}' to "
                       f"'{nvars[var]['value']}'")
        if ovars[var]["deps"] != nvars[var]["deps"]:
            out.append(f"List of dependencies for variable {var} changed from "
                       f"{ovars[var]['deps']} to {nvars[var]['deps']}")
    ofiles = {path: checksum for path, checksum in old["file_checksums"]}
    nfiles = {path: checksum for path, checksum in new["file_checksums"]}
    for path in sorted(set(ofiles) | set(nfiles)):
        if ofiles.get(path) != nfiles.get(path):
            out.append(f"Checksum of file {path} changed from {_short(ofiles.get(path))} to "
                       f"{_short(nfiles.get(path))}")
    if old.get("taint") != new.get("taint"):
        out.append(f"Taint (set by -f or -C) changed from {old.get('taint')} to "
                   f"{new.get('taint')}")
    odeps, ndeps = old["runtaskdeps"], new["runtaskdeps"]
    if sorted(odeps) != sorted(ndeps):
        out.append(f"Task dependencies changed from {sorted(odeps)} to {sorted(ndeps)}")
    for dep in sorted(set(odeps) & set(ndeps)):
        if odeps[dep] == ndeps[dep]:
            continue
        out.append(f"Dependency on task {dep} hash changed from {_short(odeps[dep])} to "
                   f"{_short(ndeps[dep])}")
        if resolve is None:
            continue
        stamp_old = old.get("depstamps", {}).get(dep, "")
        stamp_new = new.get("depstamps", {}).get(dep, "")
        dep_old = resolve(dep, stamp_old, odeps[dep])
        dep_new = resolve(dep, stamp_new, ndeps[dep])
        if dep_old and dep_new:
            out += [f"  {line}" for line in compare(dep_old, dep_new, resolve, indent)]
        else:
            out.append("  (no record of the dependency's inputs for one of the hashes)")
    return [indent + line for line in out]


def resolver(sstate_dir: str) -> Resolver:
    """A Resolver looking in the stamps directory, then in the sstate cache."""
    def resolve(label: str, stamp: str, taskhash: str) -> dict[str, Any] | None:
        task = label.rpartition(":")[2]
        return find_sigdata(stamp, task, taskhash, sstate_dir)
    return resolve


def main(argv: list[str] | None = None) -> int:
    """`bitbake-diffsigs FILE1 FILE2` or `bitbake-diffsigs -t RECIPE TASK`."""
    p = argparse.ArgumentParser(prog="bitbake-diffsigs",
                                description="Show why a task's signature changed.")
    p.add_argument("-t", "--task", nargs=2, metavar=("RECIPE", "TASK"),
                   help="compare the last two signatures of TASK of RECIPE (run in the "
                        "build directory)")
    p.add_argument("files", nargs="*", help="two sigdata files to compare")
    args = p.parse_args(argv)
    if args.task:
        return _compare_task(*args.task)
    if len(args.files) != 2:
        p.error("give two sigdata files, or -t RECIPE TASK")
    lines = compare(read_sigdata(args.files[0]), read_sigdata(args.files[1]))
    print("\n".join(lines) if lines else "No differences.")
    return 0


def _compare_task(recipe: str, task: str) -> int:
    from bake.conf import find_topdir
    from bake.cooker import Cooker
    from bake.errors import BakeError
    from bake.statements import task_name
    from bake.ui import UI

    ui = UI(quiet=1)
    try:
        cooker = Cooker(find_topdir(os.getcwd()), dict(os.environ), ui)
        cooker.parse()
        info = cooker.infos[cooker.recipe_for(recipe)]
    except BakeError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    files = stamps.sigdata_files(info.stamp, task_name(task))
    if len(files) < 2:
        print(f"ERROR: fewer than two signatures recorded for {recipe}:{task_name(task)}",
              file=sys.stderr)
        return 1
    sstate_dir = cooker.data.getVar("SSTATE_DIR") or os.path.join(cooker.topdir, "sstate-cache")
    lines = compare(read_sigdata(files[-2]), read_sigdata(files[-1]), resolver(sstate_dir))
    print("\n".join(lines) if lines else "No differences.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
