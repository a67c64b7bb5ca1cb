"""Built-in `-c clean`, `-c cleansstate`, `-c cleanall` and `-c listtasks`.

They apply when the recipe does not define a task of that name itself. clean
removes WORKDIR (if the recipe sets it), the files its tasks declare as
`[sstate-outputs]` or installed into shared directories, and the recipe's
stamps; cleansstate
also removes its sstate archives; cleanall is cleansstate (downloads belong to
the fetch classes of the layers, which may define their own do_cleanall).
"""

from __future__ import annotations

import glob
import os
from typing import TextIO

from bake import reports, sstate, stamps
from bake.cooker import Cooker

BUILTINS = ("do_clean", "do_cleansstate", "do_cleanall", "do_listtasks")


def is_builtin(task: str, cooker: Cooker, targets: list[str]) -> bool:
    """Whether `task` is handled here for every target (none defines it itself)."""
    if task not in BUILTINS or not targets:
        return False
    return all(task not in cooker.infos[cooker.recipe_for(t.partition(":")[0])].tasks
               for t in targets)


def run(task: str, cooker: Cooker, targets: list[str], out: TextIO) -> int:
    """Run a built-in task for every target."""
    for target in targets:
        fn = cooker.recipe_for(target.partition(":")[0])
        info = cooker.infos[fn]
        d = cooker.datastore(fn)
        if task == "do_listtasks":
            reports.list_tasks(d, info, out)
            continue
        workdir = d.getVar("WORKDIR")
        owned = [p for t in info.tasks.values() for p in sstate.Spec.from_flags(t.flags).outputs]
        for path in [workdir, *owned]:
            if path and os.path.lexists(path):
                cooker.ui.note(f"{info.pf} {task}: Removing {path}")
                sstate.remove_path(path)
        for path in glob.glob(glob.escape(info.stamp) + ".do_*"):
            if path.endswith(stamps.MANIFEST_SUFFIX):
                task_of = path[len(info.stamp) + 1:-len(stamps.MANIFEST_SUFFIX)]
                if task_of in info.tasks:
                    sstate.uninstall(path, sstate.Spec.from_flags(info.tasks[task_of].flags))
            if os.path.isfile(path):
                os.unlink(path)
        if task in ("do_cleansstate", "do_cleanall"):
            sstate_dir = cooker.data.getVar("SSTATE_DIR") or os.path.join(cooker.topdir,
                                                                          "sstate-cache")
            for name in sstate.remove(sstate_dir, info.pn):
                cooker.ui.note(f"{info.pf} {task}: Removed {name}")
    return 0
