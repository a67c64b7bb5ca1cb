"""What a task sees when it runs: directories, environment, the bb API, flags."""

from __future__ import annotations

import re
from pathlib import Path

from bake_helpers import bitbake, journal, make_build

RECIPE = """\
export VISIBLE = "exported value"
HIDDEN = "not exported"
OUT = "${TOPDIR}/out"

do_fetch() {
    echo fetch >> ${JOURNAL}
    mkdir -p ${OUT}
    pwd > ${OUT}/cwd
    echo "${VISIBLE}|${HIDDEN}|$VISIBLE|${HOME:-no home}|$HIDDEN" > ${OUT}/env
    [ ! -e ${WORKDIR}/clean/stale ] && echo empty > ${OUT}/cleandirs
    umask > ${OUT}/umask
}
do_fetch[dirs] = "${WORKDIR}/first ${WORKDIR}/work"
do_fetch[cleandirs] = "${WORKDIR}/clean"
do_fetch[umask] = "027"
do_fetch[prefuncs] = "before"
do_fetch[postfuncs] = "after"

before() {
    echo before >> ${JOURNAL}
}
python after() {
    with open(d.getVar("JOURNAL"), "a") as f:
        f.write("after\\n")
}

helper_shell() {
    echo "shell via exec_func" > ${OUT}/exec_func
}
python do_compile() {
    bb.build.exec_func("helper_shell", d)
    d.setVar("LOCAL_CHANGE", "only in this task")
    bb.note("a note for the log")
    with open(os.path.join(d.getVar("OUT"), "python"), "w") as f:
        f.write(d.getVar("BB_CURRENTTASK") + " " + os.getcwd())
}
do_compile[dirs] = "${B}"

do_build() {
    echo "${LOCAL_CHANGE}" > ${OUT}/not_leaked
}
"""


def test_task_environment_directories_and_flags(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": RECIPE})
    stale = build / "tmp/work/a-1.0/clean/stale"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    result = bitbake(build, "a")
    assert result.returncode == 0, result.stdout
    out = build / "out"
    work = build / "tmp/work/a-1.0"
    assert (out / "cwd").read_text().strip() == str(work / "work")
    assert (work / "first").is_dir()
    # ${VAR} is bitbake's expansion; only exported variables reach the shell environment.
    env = (out / "env").read_text().strip().split("|")
    assert env[:3] == ["exported value", "not exported", "exported value"]
    assert env[4] == ""
    assert (out / "cleandirs").read_text().strip() == "empty"
    assert (out / "umask").read_text().strip() == "0027"
    assert journal(build)[:3] == ["before", "fetch", "after"]
    assert (out / "exec_func").read_text().strip() == "shell via exec_func"
    assert (out / "python").read_text() == f"compile {work / 'src'}"
    # Unknown to bitbake, ${LOCAL_CHANGE} is left to the shell, where it is unset.
    assert (out / "not_leaked").read_text().strip() == ""
    temp = work / "temp"
    log = (temp / "log.do_compile").read_text()
    assert "NOTE: a note for the log" in log
    assert re.search(r"run\.helper_shell\.\d+", " ".join(p.name for p in temp.iterdir()))


def test_bb_fatal_fails_the_task_with_its_message(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb":
                                  "python do_fetch() {\n    bb.fatal('the input is missing')\n}\n"})
    result = bitbake(build, "a")
    assert result.returncode == 1
    assert "| ERROR: the input is missing" in result.stdout


def test_shell_bbfatal_fails_the_task(tmp_path: Path) -> None:
    recipe = "do_fetch() {\n    bbfatal 'no network'\n    echo unreachable\n}\n"
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": recipe})
    result = bitbake(build, "a")
    assert result.returncode == 1
    assert "ERROR: a-1.0-r0 do_fetch: no network" in result.stdout
    assert "unreachable" not in result.stdout


def test_verbose_traces_shell_and_quiet_hides_notes(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": ""})
    result = bitbake(build, "-v", "a")
    assert "+ echo a:do_fetch" in (build / "tmp/work/a-1.0/temp/log.do_fetch").read_text()
    result = bitbake(build, "-q", "-f", "a")
    assert result.returncode == 0
    assert "NOTE:" not in result.stdout
    result = bitbake(build, "-D", "-n", "a")
    assert re.search(r"^DEBUG: a:do_build \(\w{12}\): current$", result.stdout, re.M)
