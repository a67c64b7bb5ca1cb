"""Helpers for the engine tests: parse snippets, and build test projects with real kas."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bake.cooker import Cooker
from bake.data import DataStore
from bake.parse import parse_text
from bake.recipes import finalize
from bake.statements import Context, run_statement
from bake.ui import UI

REPO = Path(__file__).resolve().parents[2]
PROJECTS = Path(__file__).parent / "projects"
KAS = REPO / ".venv" / "bin" / "kas"


def parse(text: str, name: str = "/virtual/recipe.bb", d: DataStore | None = None,
          final: bool = False) -> DataStore:
    """Evaluate metadata `text` as if it were the file `name`; optionally finalise it."""
    d = d if d is not None else DataStore()
    ctx = Context()
    d.setVar("FILE", name)
    for stmt in parse_text(text, name):
        run_statement(stmt, d, ctx)
    if final:
        finalize(d, ctx, name)
    return d


def copy_project(name: str, dest: Path) -> Path:
    """A private copy of test project `name` whose kas file points at this repository."""
    project = dest / name
    shutil.copytree(PROJECTS / name, project)
    kas_file = project / "kas.yml"
    kas_file.write_text(kas_file.read_text().replace("@HERALD_ROOT@", str(REPO)))
    return project


def kas(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real `kas` in `project` (its output, stdout and stderr, in .stdout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BB", "KAS"))}
    return subprocess.run([str(KAS), *args], cwd=project, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                          timeout=300)


def bitbake(builddir: Path, *args: str, tool: str = "bitbake") -> subprocess.CompletedProcess[str]:
    """Run the real `bitbake` (or `bitbake-diffsigs`) command in a build directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BB", "KAS"))}
    return subprocess.run([str(REPO / "bake" / "bin" / tool), *args], cwd=builddir, env=env,
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False, timeout=300)


BITBAKE_CONF = """\
# PN, PV and PR from the recipe's file name, as OpenEmbedded's bitbake.conf does.
PN = "${@bb.parse.vars_from_file(d.getVar('FILE', False), d)[0] or 'defaultpkgname'}"
PV = "${@bb.parse.vars_from_file(d.getVar('FILE', False), d)[1] or '1.0'}"
PR = "${@bb.parse.vars_from_file(d.getVar('FILE', False), d)[2] or 'r0'}"
TMPDIR = "${TOPDIR}/tmp"
CACHE = "${TMPDIR}/cache"
WORKDIR = "${TMPDIR}/work/${PN}-${PV}"
T = "${WORKDIR}/temp"
S = "${WORKDIR}/src"
B = "${S}"
D = "${WORKDIR}/image"
STAMP = "${TMPDIR}/stamps/${PN}-${PV}"
JOURNAL = "${TOPDIR}/journal.txt"
OVERRIDES = "pn-${PN}:${MACHINE}"
MACHINE ??= "testmachine"
export PATH
BB_BASEHASH_IGNORE_VARS = "TMPDIR TOPDIR JOURNAL PATH HOME PWD SHELL LC_ALL FILE BBPATH"
BB_HASHCONFIG_IGNORE_VARS = "${BB_BASEHASH_IGNORE_VARS}"
include conf/local.conf
"""

BASE_CLASS = """\
do_fetch() {
    echo "${PN}:do_fetch" >> ${JOURNAL}
}
addtask fetch
do_compile() {
    echo "${PN}:do_compile" >> ${JOURNAL}
}
do_compile[deptask] = "do_build"
addtask compile after do_fetch
do_build() {
    echo "${PN}:do_build" >> ${JOURNAL}
}
addtask build after do_compile
"""


def layer_conf(name: str, priority: int = 5, extra: str = "") -> str:
    """A layer.conf adding the layer's recipes and appends, for the core series "test"."""
    return (f'BBPATH .= ":${{LAYERDIR}}"\n'
            f'BBFILES += "${{LAYERDIR}}/recipes/*/*.bb ${{LAYERDIR}}/recipes/*/*.bbappend"\n'
            f'BBFILE_COLLECTIONS += "{name}"\nBBFILE_PATTERN_{name} = "^${{LAYERDIR}}/"\n'
            f'BBFILE_PRIORITY_{name} = "{priority}"\n'
            f'LAYERSERIES_CORENAMES ?= "test"\nLAYERSERIES_COMPAT_{name} = "test"\n{extra}')


def make_build(root: Path, files: dict[str, str], local: str = "") -> Path:
    """A build directory over layers written from `files` (paths relative to `root`).

    `meta-test` gets a default layer.conf, bitbake.conf and base class unless
    `files` provides them; every top-level directory with a conf/layer.conf is
    a layer, in name order.
    """
    defaults = {"meta-test/conf/layer.conf": layer_conf("test"),
                "meta-test/conf/bitbake.conf": BITBAKE_CONF,
                "meta-test/classes/base.bbclass": BASE_CLASS}
    for rel, text in {**defaults, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    layers = sorted(p.parent.parent for p in root.glob("*/conf/layer.conf"))
    build = root / "build"
    (build / "conf").mkdir(parents=True, exist_ok=True)
    (build / "conf" / "bblayers.conf").write_text(
        'BBLAYERS ?= "' + " ".join(str(p) for p in layers) + '"\n'
        'BBPATH ?= "${TOPDIR}"\nBBFILES ??= ""\n')
    (build / "conf" / "local.conf").write_text(local)
    return build


def cooker(build: Path, environ: dict[str, str] | None = None) -> Cooker:
    """A parsed Cooker for a build directory (in this process, output hidden)."""
    c = Cooker(str(build), environ if environ is not None else {"PATH": os.environ["PATH"]},
               UI(quiet=2))
    c.parse()
    return c


def journal(build: Path) -> list[str]:
    """The tasks that wrote to build/journal.txt, in order; resets it."""
    path = build / "journal.txt"
    lines = path.read_text().split() if path.exists() else []
    path.write_text("")
    return lines
