"""The bitbake command line, run as users run it, in small build directories."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
from pathlib import Path

from bake_helpers import REPO, bitbake, journal, make_build

import bake
from tests.conftest import wait_until


def ok(build: Path, *args: str) -> str:
    result = bitbake(build, *args)
    assert result.returncode == 0, result.stdout
    return result.stdout


def two_recipes(tmp_path: Path, local: str = "", a: str = "", b: str = "") -> Path:
    return make_build(tmp_path, {"meta-test/recipes/a/a_1.0.bb": 'DEPENDS = "b"\n' + a,
                                 "meta-test/recipes/b/b_1.0.bb": b}, local)


def test_version() -> None:
    out = ok(Path("/"), "--version")
    assert out.strip() == f"BitBake Build Tool Core version 2.8.0 (Herald bake {bake.__version__})"


def test_no_target_and_bad_option() -> None:
    assert bitbake(Path("/"), "--no-such-option").returncode == 2


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    build = two_recipes(tmp_path)
    out = ok(build, "-n", "a")
    assert journal(build) == []
    assert "Running task 6 of 6" in out
    ok(build, "a")
    work = journal(build)
    assert sorted(work) == ["a:do_build", "a:do_compile", "a:do_fetch", "b:do_build",
                            "b:do_compile", "b:do_fetch"]
    assert work.index("b:do_build") < work.index("a:do_compile")


def test_unknown_target_exits_1(tmp_path: Path) -> None:
    result = bitbake(two_recipes(tmp_path), "nosuchthing")
    assert result.returncode == 1
    assert "ERROR: Nothing PROVIDES 'nosuchthing'" in result.stdout


def test_failure_stops_the_build_unless_keep_going(tmp_path: Path) -> None:
    files = {"meta-test/recipes/a/a.bb": "do_compile:append() {\n    exit 3\n}\n",
             "meta-test/recipes/b/b.bb": ""}
    build = make_build(tmp_path, files, local='BB_NUMBER_THREADS = "1"\n')
    result = bitbake(build, "a", "b")
    assert result.returncode == 1
    assert "Task (" in result.stdout and "a.bb:do_compile) failed with exit code '1'" in \
        result.stdout
    assert not any(t.startswith("b:") for t in journal(build))
    result = bitbake(build, "-k", "a", "b")
    assert result.returncode == 1
    assert journal(build)[-3:] == ["b:do_fetch", "b:do_compile", "b:do_build"]
    assert "Summary: 1 task failed:" in result.stdout


def test_python_task_failure_shows_the_traceback_line(tmp_path: Path) -> None:
    recipe = "python do_fetch() {\n    x = 1\n    raise ValueError('bad input')\n}\n"
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": recipe})
    result = bitbake(build, "a")
    assert result.returncode == 1
    assert re.search(r'\| +File ".*/a\.bb", line 3, in do_fetch', result.stdout)
    assert "| ValueError: bad input" in result.stdout


def test_warnings_from_tasks_reach_the_console(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb":
                                  "do_fetch:append() {\n    bbwarn careful now\n}\n"
                                  "python do_compile() {\n    bb.warn('from python')\n}\n"})
    out = ok(build, "a")
    assert "WARNING: a-1.0-r0 do_fetch: careful now" in out
    assert "WARNING: a-1.0-r0 do_compile: from python" in out
    assert "Summary: There were 2 WARNING messages." in out


def test_graphviz_and_show_versions(tmp_path: Path) -> None:
    build = two_recipes(tmp_path)
    ok(build, "-g", "a")
    dot = (build / "task-depends.dot").read_text()
    assert '"a.do_compile" -> "b.do_build"' in dot
    assert (build / "pn-buildlist").read_text().split() == ["a", "b"]
    assert journal(build) == []
    out = ok(build, "-s")
    assert re.search(r"^a\s+:1\.0-r0", out, re.M)


def test_runall_and_runonly(tmp_path: Path) -> None:
    build = two_recipes(tmp_path)
    ok(build, "--runall=fetch", "a")
    assert sorted(journal(build)) == ["a:do_fetch", "b:do_fetch"]
    # a:do_compile needs b:do_build ([deptask]), so that runs too; no do_build of a.
    ok(build, "--runonly=compile", "a")
    assert journal(build) == ["b:do_compile", "b:do_build", "a:do_compile"]


def test_clear_stamp_reruns_the_task_and_what_follows(tmp_path: Path) -> None:
    build = two_recipes(tmp_path)
    ok(build, "a")
    journal(build)
    ok(build, "-C", "compile", "b")
    assert journal(build) == ["b:do_compile", "b:do_build"]
    ok(build, "a")
    assert journal(build) == ["a:do_compile", "a:do_build"]


def test_force_runs_one_task_and_later_tasks_follow_next_time(tmp_path: Path) -> None:
    build = two_recipes(tmp_path)
    ok(build, "b")
    journal(build)
    ok(build, "-f", "-c", "compile", "b")
    assert journal(build) == ["b:do_compile"]
    ok(build, "b")
    assert journal(build) == ["b:do_build"]
    ok(build, "b")
    assert journal(build) == []


def test_nostamp_task_always_runs_with_its_dependents(tmp_path: Path) -> None:
    build = two_recipes(tmp_path, b='do_compile[nostamp] = "1"\n')
    ok(build, "a")
    journal(build)
    ok(build, "a")
    assert journal(build) == ["b:do_compile", "b:do_build", "a:do_compile", "a:do_build"]


def test_tasks_run_in_parallel_up_to_bb_number_threads(tmp_path: Path) -> None:
    # Each do_fetch waits until the other has started: possible only in parallel.
    rendezvous = ("do_fetch:append() {\n    touch ${TOPDIR}/${PN}.started\n"
                  "    for i in $(seq 200); do [ -e ${TOPDIR}/${OTHER}.started ] && exit 0; "
                  "sleep 0.05; done\n    exit 1\n}\n")
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'OTHER = "b"\n' + rendezvous,
                                  "meta-test/recipes/b/b.bb": 'OTHER = "a"\n' + rendezvous},
                       local='BB_NUMBER_THREADS = "2"\n')
    ok(build, "a", "b")


def test_parse_cache_reuses_unchanged_recipes(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": "require a.inc\n",
                                  "meta-test/recipes/a/a.inc": 'X = "1"\n',
                                  "meta-test/recipes/b/b.bb": ""})
    assert "(0 cached, 2 parsed)" in ok(build, "-p")
    assert "(2 cached, 0 parsed)" in ok(build, "-p")
    (tmp_path / "meta-test/recipes/a/a.inc").write_text('X = "22"\n')
    assert "(1 cached, 1 parsed)" in ok(build, "-p")
    (build / "conf/local.conf").write_text('NEW = "config change"\n')
    assert "(0 cached, 2 parsed)" in ok(build, "-p")


def test_only_one_bitbake_per_build_directory(tmp_path: Path) -> None:
    build = two_recipes(tmp_path)
    with open(build / "bitbake.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = bitbake(build, "a")
    assert result.returncode == 1
    assert "Only one copy of bitbake should be run against a build directory" in result.stdout
    assert journal(build) == []


def test_diffsigs_and_printdiff_explain_a_rerun(tmp_path: Path) -> None:
    build = two_recipes(tmp_path, b='MSG = "one"\ndo_compile:append() {\n    echo ${MSG}\n}\n')
    ok(build, "a")
    recipe = tmp_path / "meta-test/recipes/b/b_1.0.bb"
    recipe.write_text(recipe.read_text().replace('"one"', '"two"'))
    out = ok(build, "-S", "printdiff", "a")
    assert "b:do_compile: signature changed:" in out
    assert "Variable MSG value changed from 'one' to 'two'" in out
    assert "a:do_compile" not in out
    ok(build, "a")
    result = bitbake(build, "-t", "a", "do_build", tool="bitbake-diffsigs")
    assert result.returncode == 0, result.stdout
    assert "Dependency on task b:do_build hash changed" in result.stdout
    assert "Variable MSG value changed from 'one' to 'two'" in result.stdout


def test_builtin_clean_and_cleansstate(tmp_path: Path) -> None:
    build = two_recipes(tmp_path, b='do_compile[sstate-outputs] = "${WORKDIR}/out"\n'
                                    'do_compile:append() {\n    mkdir -p ${WORKDIR}/out\n}\n')
    ok(build, "a")
    journal(build)
    (build / "tmp/owned").mkdir()
    with open(tmp_path / "meta-test/recipes/b/b_1.0.bb", "a") as f:
        f.write('do_build[sstate-outputs] = "${TMPDIR}/owned"\n')
    ok(build, "-c", "clean", "b")
    assert not (build / "tmp/work/b-1.0").exists()
    assert not (build / "tmp/owned").exists()
    with open(tmp_path / "meta-test/recipes/b/b_1.0.bb", "a") as f:
        f.write('unset do_build[sstate-outputs]\n')
    assert "Running task 2 of 3" in ok(build, "--no-setscene", "-n", "b")
    ok(build, "b")
    assert journal(build) == ["b:do_build"]  # do_compile came back from sstate
    ok(build, "-c", "cleansstate", "b")
    assert list((build / "sstate-cache").rglob("sstate:b:*")) == []
    ok(build, "b")
    assert journal(build) == ["b:do_fetch", "b:do_compile", "b:do_build"]
    out = ok(build, "-c", "listtasks", "b")
    assert re.findall(r"^(do_\w+)", out, re.M) == ["do_build", "do_compile", "do_fetch"]


def test_interrupt_stops_running_tasks_and_exits_1(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb":
                                  "do_fetch:append() {\n    echo $$ > ${TOPDIR}/task.pid\n"
                                  "    while true; do sleep 0.1; done\n}\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("BB")}
    # As from a terminal: a test run started in the background of a shell would
    # hand bitbake an ignored SIGINT, and Python then never raises KeyboardInterrupt.
    proc = subprocess.Popen([str(REPO / "bake/bin/bitbake"), "a"], cwd=build, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    pidfile = build / "task.pid"
    wait_until(lambda: pidfile.exists() and pidfile.read_text().strip(), 60,
               what="the task to start")
    task_pid = int(pidfile.read_text())
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "Build interrupted" in out

    def gone() -> bool:
        try:
            os.kill(task_pid, 0)
        except ProcessLookupError:
            return True
        return False
    wait_until(gone, 30, what="the task's shell to end")


def test_a_task_leaving_a_background_process_does_not_hang_the_build(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb":
                                  "do_fetch:append() {\n    sleep 300 &\n"
                                  "    echo $! > ${TOPDIR}/daemon.pid\n}\n"})
    try:
        out = ok(build, "a")
    finally:
        pidfile = build / "daemon.pid"
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
    assert "Attempted 3 tasks" in out


def test_def_functions_work_for_recipes_taken_from_the_parse_cache(tmp_path: Path) -> None:
    build = make_build(tmp_path, {
        "meta-test/classes/helpers.bbclass":
            "def greeting(d):\n    return 'hi ' + d.getVar('PN')\n",
        "meta-test/recipes/a/a.bb": "inherit helpers\nexport GREETING = \"${@greeting(d)}\"\n"
                                    "do_fetch:append() {\n    echo $GREETING > ${TOPDIR}/out\n}\n"})
    ok(build, "-p")
    assert "(1 cached, 0 parsed)" in ok(build, "a")
    assert (build / "out").read_text() == "hi a\n"


def test_a_corrupt_sstate_archive_falls_back_to_running_the_task(tmp_path: Path) -> None:
    import shutil

    build = two_recipes(tmp_path, b='do_compile[sstate-outputs] = "${WORKDIR}/out"\n'
                                    'do_compile:append() {\n    echo built > ${WORKDIR}/out\n}\n')
    ok(build, "b")
    journal(build)
    (archive,) = (build / "sstate-cache").rglob("sstate:b:*:do_compile:*.tar.zst")
    archive.write_bytes(archive.read_bytes()[:20])
    shutil.rmtree(build / "tmp")
    result = bitbake(build, "b")
    assert result.returncode == 0, result.stdout
    assert "do_compile_setscene: restoring" in result.stdout and "running the task instead" \
        in result.stdout
    assert journal(build) == ["b:do_fetch", "b:do_compile", "b:do_build"]
    assert (build / "tmp/work/b-1.0/out").read_text() == "built\n"


def test_exported_home_outside_the_ignore_list_is_warned_about(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": ""},
                       local='BB_BASEHASH_IGNORE_VARS:remove = "HOME"\n')
    out = ok(build, "a")
    assert "WARNING: HOME is exported to tasks but not in BB_BASEHASH_IGNORE_VARS" in out


def test_sstate_mirror_provides_archives_missing_locally(tmp_path: Path) -> None:
    import shutil

    build = two_recipes(tmp_path, b='do_compile[sstate-outputs] = "${WORKDIR}/out"\n'
                                    'do_compile:append() {\n    echo built > ${WORKDIR}/out\n}\n')
    ok(build, "b")
    journal(build)
    mirror = tmp_path / "mirror"
    shutil.move(build / "sstate-cache", mirror)
    shutil.rmtree(build / "tmp")
    with open(build / "conf/local.conf", "a") as f:
        f.write(f'SSTATE_MIRRORS = "file://.* file://{mirror}/PATH"\n')
    out = ok(build, "-c", "compile", "b")
    assert "Local 0 Mirrors 1 Missed 0" in out
    assert journal(build) == []
    assert (build / "tmp/work/b-1.0/out").read_text() == "built\n"
    assert list((build / "sstate-cache").rglob("sstate:b:*do_compile*.tar.zst"))
    with open(build / "conf/local.conf", "a") as f:
        f.write('SSTATE_MIRRORS = "http://.* https://example.org/PATH"\n')
    result = bitbake(build, "b")
    assert result.returncode == 1
    assert "only file:// mirrors are supported" in result.stdout


def test_messages_from_parsing_name_the_recipe(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb":
                                  "python () {\n    bb.warn('odd configuration')\n}\n"})
    out = ok(build, "-p")
    assert f"WARNING: {tmp_path}/meta-test/recipes/a/a.bb: odd configuration" in out


def test_bad_numbers_are_clear_errors_and_nothing_runs(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": ""},
                       local='BB_NUMBER_THREADS = "many"\n')
    result = bitbake(build, "a")
    assert result.returncode == 1
    assert 'ERROR: BB_NUMBER_THREADS = "many" is not an integer' in result.stdout
    assert journal(build) == []
    build = make_build(tmp_path / "umask", {"meta-test/recipes/a/a.bb":
                                            'do_fetch[umask] = "rwx"\n'})
    result = bitbake(build, "a")
    assert result.returncode == 1
    assert 'a.bb: do_fetch: [umask] = "rwx" is not an octal mode' in result.stdout
