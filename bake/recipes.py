"""Find and parse recipes: BBFILES, BBMASK, layer collections, .bbappend files.

Each recipe is parsed into a copy of the configuration datastore: the `.bb`
file, then its `.bbappend` files (lowest layer priority first, so the highest
priority layer has the last word), then the deferred inherits, key expansion
and the anonymous Python functions, as in BitBake's finalisation. What the
task graph and the scheduler need is kept in a small RecipeInfo.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

from bake import bb, methodpool
from bake.bb.parse import vars_from_file
from bake.data import DataStore
from bake.errors import BakeError, ParseError, SkipRecipe
from bake.siggen import SignatureGenerator, task_datastore, uses_task_overrides
from bake.sstate import Spec
from bake.statements import Context, eval_file, inherit

TASK_FLAGS = ("depends", "rdepends", "deptask", "rdeptask", "recrdeptask", "noexec",
              "nostamp", "number_threads", "umask", "sstate-outputs", "sstate-inputdirs",
              "sstate-outputdirs", "file-checksums")
# Flags that are on when set to anything, as BitBake reads them ("0" included).
PRESENCE_TASK_FLAGS = ("noexec", "nostamp")
UNSUPPORTED_TASK_FLAGS = ("recideptask", "fakeroot", "mcdepends")


@dataclass
class TaskInfo:
    """What scheduling needs to know about one task."""

    deps: list[str]
    flags: dict[str, str]
    basehash: str


@dataclass
class RecipeInfo:
    """A parsed recipe, small enough to keep in the parse cache for every recipe."""

    fn: str
    pn: str
    pv: str
    pe: str
    pr: str
    provides: list[str]
    rprovides: list[str]
    depends: list[str]
    rdepends: list[str]
    tasks: dict[str, TaskInfo]
    stamp: str
    priority: int
    default_preference: int
    appends: list[str] = field(default_factory=list)
    skipped: str | None = None

    @property
    def pf(self) -> str:
        """The `pn-pv-pr` label BitBake prints for a recipe."""
        return f"{self.pn}-{self.pe + '_' if self.pe else ''}{self.pv}-{self.pr}"


class Collections:
    """Layer collections: which layer a file belongs to, and that layer's priority."""

    def __init__(self, d: DataStore):
        self.entries: list[tuple[str, re.Pattern[str], int]] = []
        for c in (d.getVar("BBFILE_COLLECTIONS") or "").split():
            pattern = d.getVar(f"BBFILE_PATTERN_{c}") or ""
            try:
                regex = re.compile(pattern)
            except re.error as exc:
                raise BakeError(f"BBFILE_PATTERN_{c} = \"{pattern}\" is not a valid regular "
                                f"expression: {exc}") from exc
            self.entries.append((c, regex, d.getInt(f"BBFILE_PRIORITY_{c}", 0)))

    def layer(self, path: str) -> tuple[str, int]:
        """Name and priority of the collection matching `path` most specifically, or ("", 0)."""
        best, best_len = ("", 0), -1
        for name, regex, prio in self.entries:
            m = regex.match(path)
            if m and m.end() > best_len:
                best, best_len = (name, prio), m.end()
        return best

    def priority(self, path: str) -> int:
        """The priority of the collection `path` belongs to."""
        return self.layer(path)[1]


@dataclass
class FileSet:
    """The recipe and append files BBFILES names, minus those BBMASK hides."""

    recipes: list[str]
    appends: dict[str, list[str]]
    masked: int


def collect_files(d: DataStore, collections: Collections) -> FileSet:
    """Expand BBFILES, apply BBMASK and match each .bbappend to its recipes."""
    masks = []
    for m in (d.getVar("BBMASK") or "").split():
        try:
            masks.append(re.compile(m))
        except re.error as exc:
            raise BakeError(f"BBMASK entry '{m}' is not a valid regular expression: {exc}") from exc
    found: list[str] = []
    for pattern in (d.getVar("BBFILES") or "").split():
        if os.path.isdir(pattern):
            pattern = os.path.join(pattern, "*.bb")
        for path in sorted(glob.glob(pattern)):
            path = os.path.normpath(os.path.abspath(path))
            if path not in found:
                found.append(path)
    masked = [p for p in found if any(m.search(p) for m in masks)]
    files = [p for p in found if p not in masked]
    recipes = [p for p in files if p.endswith(".bb")]
    appends = [p for p in files if p.endswith(".bbappend")]
    appends.sort(key=collections.priority)
    matched: dict[str, list[str]] = {r: [] for r in recipes}
    dangling = []
    for a in appends:
        name = os.path.basename(a)[: -len(".bbappend")]
        hits = [r for r in recipes if _append_matches(name, os.path.basename(r)[:-3])]
        for r in hits:
            matched[r].append(a)
        if not hits:
            dangling.append(a)
    if dangling and not d.getVar("BB_DANGLINGAPPENDS_WARNONLY"):
        raise BakeError("No recipes available for:\n  " + "\n  ".join(dangling))
    return FileSet(recipes, matched, len(masked))


def _append_matches(append: str, recipe: str) -> bool:
    if "%" in append:
        return recipe.startswith(append.split("%", 1)[0])
    return append == recipe


def parse_recipe(fn: str, appends: list[str], config: DataStore,
                 collections: Collections) -> tuple[RecipeInfo, DataStore, Context]:
    """Parse one recipe with its appends and finalise it."""
    d = config.createCopy()
    ctx = Context(classtype="recipe")
    layername, priority = collections.layer(fn)
    d.setVar("FILE_LAYERNAME", layername, op="layer of the recipe")
    d.setVar("FILE", fn, parsing=True)
    eval_file(fn, d, ctx)
    for append in appends:
        eval_file(append, d, ctx)
    d.setVar("FILE", fn, parsing=True)
    skipped = None
    try:
        finalize(d, ctx, fn)
    except SkipRecipe as exc:
        skipped = str(exc) or "skipped by the recipe"
    info = recipe_info(fn, d, appends, priority, skipped)
    return info, d, ctx


def finalize(d: DataStore, ctx: Context, fn: str) -> None:
    """Deferred inherits, key expansion, anonymous Python: the end of a recipe's parse."""
    for expr, filename, lineno in d.getVar("__BBDEFINHERITS", False) or ():
        for name in d.expand(expr).split():
            inherit(name, d, ctx, filename, lineno)
    d.expand_keys()
    for name in d.getVar("__BBANONFUNCS", False) or ():
        try:
            methodpool.run_function(name, d)
        except (SkipRecipe, ParseError):
            raise
        except BakeError as exc:
            raise ParseError(str(exc), d.getVarFlag(name, "filename", False),
                             d.getVarFlag(name, "lineno", False)) from exc
        except Exception as exc:  # metadata code may raise anything
            raise ParseError(f"anonymous Python function failed: {type(exc).__name__}: {exc}",
                             d.getVarFlag(name, "filename", False),
                             _traceback_line(exc, d.getVarFlag(name, "filename", False))) from exc
    # BitBake rewrites DEPENDS after the anonymous functions (resolving virtual
    # providers), which leaves it set, to "" at least, and whitespace-normalised.
    d.setVar("DEPENDS", " ".join((d.getVar("DEPENDS") or "").split()), op="finalize")
    included = [*(d.getVar("BBINCLUDED") or "").split(), *ctx.included()]
    d.setVar("BBINCLUDED", " ".join(dict.fromkeys(included)), op="finalize")
    for var, what in (("BBCLASSEXTEND", "recipe variants"), ("BBVERSIONS", "version ranges")):
        if (d.getVar(var) or "").strip():
            raise ParseError(f"{var} ({what}) is not supported by this engine", fn)


def _traceback_line(exc: BaseException, filename: str | None) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def recipe_info(fn: str, d: DataStore, appends: list[str], priority: int,
                skipped: str | None) -> RecipeInfo:
    """Extract what scheduling needs from a finalised recipe datastore."""
    # PN, PV and PR are the metadata's (bitbake.conf); like BitBake, only a
    # recipe without PN is named after its file.
    pn = d.getVar("PN") or vars_from_file(fn)[0] or ""
    packages = (d.getVar("PACKAGES") or pn).split()
    rprovides = list(packages)
    rdepends: list[str] = []
    for pkg in packages:
        rprovides += (d.getVar(f"RPROVIDES:{pkg}") or "").split()
        rdepends += _explode(d.getVar(f"RDEPENDS:{pkg}") or "")
    tasks: dict[str, TaskInfo] = {}
    if skipped is None:
        tasks = _task_infos(fn, d)
    return RecipeInfo(
        fn=fn, pn=pn, pv=d.getVar("PV") or "", pe=d.getVar("PE") or "",
        pr=d.getVar("PR") or "",
        provides=[pn, *[p for p in (d.getVar("PROVIDES") or "").split() if p != pn]],
        rprovides=rprovides, depends=_explode(d.getVar("DEPENDS") or ""),
        rdepends=rdepends, tasks=tasks, stamp=d.getVar("STAMP") or "",
        priority=priority, default_preference=d.getInt("DEFAULT_PREFERENCE", 0),
        appends=list(appends), skipped=skipped)


def _explode(s: str) -> list[str]:
    """Dependency names without version constraints, in order, without duplicates."""
    out: list[str] = []
    for name in re.sub(r"\([^)]*\)", " ", s).split():
        if name not in out:
            out.append(name)
    return out




def _task_flags(d: DataStore, task: str) -> dict[str, str]:
    """The task flags scheduling needs, expanded.

    `[noexec]` and `[nostamp]` are on whenever they are set, whatever the
    value: BitBake only warns about values other than "1", and metadata
    written for it relies on that (`unset do_x[noexec]` turns one off).
    """
    flags = {}
    for flag in TASK_FLAGS:
        value = d.getVarFlag(task, flag)
        if flag in PRESENCE_TASK_FLAGS and value is not None:
            if value != "1":
                bb.warn(f'{d.getVar("PN")}: {task}[{flag}] = "{value}" sets the flag all the '
                        f'same (any value does, as in BitBake): use "1", or unset {task}[{flag}]')
            value = "1"
        if value not in (None, ""):
            flags[flag] = str(value)
    if d.getVarFlag(task, "python", False):
        flags["python"] = "1"
    return flags


def _check_numbers(task: str, flags: dict[str, str]) -> None:
    """[number_threads] must be a positive integer and [umask] an octal mode."""
    threads = flags.get("number_threads")
    if threads is not None and not (threads.isdigit() and int(threads) > 0):
        raise BakeError(f'[number_threads] = "{threads}" is not a positive integer')
    umask = flags.get("umask")
    if umask is not None and not all(c in "01234567" for c in umask):
        raise BakeError(f'[umask] = "{umask}" is not an octal mode')


def _basehash(d: DataStore, siggen: SignatureGenerator, task: str, uses: bool) -> str:
    """The base hash of `task`, as its code sees the datastore (task overrides active)."""
    if uses:
        siggen = SignatureGenerator(task_datastore(d, task, uses))
    return siggen.task_sig(task).basehash


def _task_infos(fn: str, d: DataStore) -> dict[str, TaskInfo]:
    tasks = d.getVar("__BBTASKS", False) or ()
    if tasks and d.getVar("STAMP") is None:
        raise ParseError("STAMP is not set: conf/bitbake.conf must define it", fn)
    infos = {}
    uses = uses_task_overrides(d)
    siggen = SignatureGenerator(d)
    for task in tasks:
        for flag in UNSUPPORTED_TASK_FLAGS:
            if d.getVarFlag(task, flag, False):
                raise ParseError(f"{task}[{flag}] is not supported by this engine", fn)
        try:
            flags = _task_flags(d, task)
            Spec.from_flags(flags)
            _check_numbers(task, flags)
        except BakeError as exc:
            raise ParseError(f"{task}: {exc}", fn) from exc
        infos[task] = TaskInfo(deps=[t for t in d.getVarFlag(task, "deps", False) or ()
                                     if t in tasks],
                               flags=flags, basehash=_basehash(d, siggen, task, uses))
    return infos
