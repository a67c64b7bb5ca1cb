"""Benchmark of the build engine (bake/): parse time and no-op build time.

Generates a layer of 300 recipes shaped like real ones (a class with five
tasks, overrides, :append, inline Python, an include file, DEPENDS between
recipes), then times the real `bitbake` command:

* parse of all recipes with no parse cache (cold) and with the parse cache;
* a no-op build of everything after a first full build.

Prints the figures and the ratios to the cold parse (the ratios are what to
watch on a noisy machine).
Usage: .venv/bin/python bench/bake_parse.py [--recipes N] [--runs N] [--json]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import arguments, figures

REPO = Path(__file__).resolve().parents[1]

CLASS = """\
# A class in the shape of a packaging class.
PACKAGE_ARCH ??= "${MACHINE_ARCH}"
FILESPATH = "${FILE_DIRNAME}/files"
DEBIAN_DEPENDS ??= ""
EXTRA_FLAGS ??= ""
EXTRA_FLAGS:append:x86 = " -m64"

def bench_arch(d):
    return d.getVar("PACKAGE_ARCH") or "all"

do_unpack() {
    mkdir -p ${S}
    printf '%s\\n' "${SRC_URI}" > ${S}/sources
}
addtask unpack

do_compile() {
    echo "${PN} ${PV} ${EXTRA_FLAGS}" > ${B}/out
}
do_compile[dirs] = "${B}"
do_compile[deptask] = "do_deploy"
addtask compile after do_unpack

python do_install() {
    dest = d.getVar("D")
    bb.utils.mkdirhier(dest)
    with open(os.path.join(dest, d.getVar("PN")), "w") as f:
        f.write(bench_arch(d) + "\\n")
}
do_install[cleandirs] = "${D}"
addtask install after do_compile

do_deploy() {
    mkdir -p ${WORKDIR}/deploy
    cp ${D}/${PN} ${WORKDIR}/deploy/${PN}_${PV}_${@bench_arch(d)}
}
do_deploy[sstate-inputdirs] = "${WORKDIR}/deploy"
do_deploy[sstate-outputdirs] = "${DEPLOY_DIR}/packages"
addtask deploy after do_install

do_build[noexec] = "1"
addtask build after do_deploy
"""

CONF = """\
PN = "${@bb.parse.vars_from_file(d.getVar('FILE', False), d)[0] or 'defaultpkgname'}"
PV = "${@bb.parse.vars_from_file(d.getVar('FILE', False), d)[1] or '1.0'}"
PR = "${@bb.parse.vars_from_file(d.getVar('FILE', False), d)[2] or 'r0'}"
TMPDIR = "${TOPDIR}/tmp"
CACHE = "${TMPDIR}/cache"
WORKDIR = "${TMPDIR}/work/${PN}/${PV}-${PR}"
T = "${WORKDIR}/temp"
S = "${WORKDIR}/src"
B = "${S}"
D = "${WORKDIR}/image"
STAMP = "${TMPDIR}/stamps/${PN}/${PV}-${PR}"
DEPLOY_DIR = "${TMPDIR}/deploy"
MACHINE_ARCH = "x86_64"
OVERRIDES = "pn-${PN}:${MACHINE}:x86"
export PATH
BB_BASEHASH_IGNORE_VARS = "TMPDIR TOPDIR PATH HOME PWD SHELL LC_ALL FILE"
BB_HASHCONFIG_IGNORE_VARS = "${BB_BASEHASH_IGNORE_VARS}"
include conf/local.conf
"""


def make_project(root: Path, recipes: int) -> Path:
    """A build directory and a layer with `recipes` recipes."""
    layer = root / "meta-bench"
    (layer / "conf").mkdir(parents=True)
    (layer / "classes").mkdir()
    (layer / "conf" / "layer.conf").write_text(
        'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes/*/*.bb"\n'
        'BBFILE_COLLECTIONS += "bench"\nBBFILE_PATTERN_bench = "^${LAYERDIR}/"\n'
        'BBFILE_PRIORITY_bench = "5"\n')
    (layer / "conf" / "bitbake.conf").write_text(CONF)
    (layer / "classes" / "base.bbclass").write_text(CLASS)
    for i in range(recipes):
        rdir = layer / "recipes" / f"pkg{i:03d}"
        rdir.mkdir(parents=True)
        (rdir / f"pkg{i:03d}.inc").write_text(
            f'SUMMARY = "Package {i}"\nLICENSE = "MIT"\nSRC_URI = "file://pkg{i:03d}.conf"\n')
        deps = " ".join(f"pkg{j:03d}" for j in (i // 2, i // 3) if j < i)
        (rdir / f"pkg{i:03d}_1.{i % 7}.bb").write_text(
            f"require pkg{i:03d}.inc\nDEPENDS = \"{deps}\"\n"
            f"EXTRA_FLAGS = \"-O2\"\nEXTRA_FLAGS:pn-pkg{i:03d} = \"-O{i % 3}\"\n"
            f"DEBIAN_DEPENDS:append = \" libc6 (>= 2.36)\"\n")
    build = root / "build"
    (build / "conf").mkdir(parents=True)
    (build / "conf" / "bblayers.conf").write_text(
        f'BBLAYERS ?= "{layer}"\nBBPATH ?= "${{TOPDIR}}"\nBBFILES ??= ""\n')
    (build / "conf" / "local.conf").write_text('MACHINE ??= "qemux86-64"\n'
                                               'BB_NUMBER_THREADS = "2"\n')
    return build


def bitbake(build: Path, *args: str) -> float:
    """Run the real bitbake command in `build`; return its wall time in seconds."""
    env = dict(os.environ, PATH=f"{REPO / 'bake' / 'bin'}:{os.environ.get('PATH', '')}")
    start = time.perf_counter()
    result = subprocess.run(["bitbake", "-q", *args], cwd=build, env=env, text=True,
                            capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"bitbake {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--recipes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (best is kept)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bake-bench-"))
    try:
        with figures(args) as report:
            report.add("recipes", args.recipes, "count")
            report.add("tasks_per_build", args.recipes * 5, "count")
            build = make_project(root, args.recipes)
            cache = build / "tmp" / "cache"
            cold = []
            for _ in range(args.runs):
                shutil.rmtree(cache, ignore_errors=True)
                cold.append(bitbake(build, "-p"))
            report.add("parse_cold", min(cold), "s")
            cached = [bitbake(build, "-p") for _ in range(args.runs)]
            report.add("parse_cached", min(cached), "s")
            report.add("parse_cached_over_cold", min(cached) / min(cold), "x")
            report.add("first_full_build", bitbake(build, "world"), "s")
            noop = [bitbake(build, "world") for _ in range(args.runs)]
            report.add("noop_build", min(noop), "s")
            report.add("noop_build_over_cold_parse", min(noop) / min(cold), "x")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
