"""The engine driven by the real `kas build`, on the `basic` test project.

The project has three recipes (a library, a program that DEPENDS on it, an
image that collects the program), a class, a machine override and a
.bbappend. Every task that does work writes `pn:task` to build/journal.txt
(outside tmp/), which is how these tests see what actually ran.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bake_helpers import copy_project, kas

IMAGE = Path("build/tmp/deploy/images/qemux86-64/test-image.img")
ALL_WORK = ["libgreet:do_unpack", "libgreet:do_compile", "libgreet:do_install",
            "libgreet:do_deploy", "hello:do_unpack", "hello:do_compile", "hello:do_install",
            "hello:do_deploy", "test-image:do_rootfs"]


def journal(project: Path) -> list[str]:
    path = project / "build" / "journal.txt"
    return path.read_text().split() if path.exists() else []


def build(project: Path, *args: str) -> str:
    """kas build; must succeed. Returns the output, with the journal reset beforehand."""
    (project / "build").mkdir(exist_ok=True)
    (project / "build" / "journal.txt").write_text("")
    result = kas(project, "build", "kas.yml", *args)
    assert result.returncode == 0, result.stdout
    return result.stdout


def summary(output: str) -> tuple[int, int]:
    m = re.search(r"Tasks Summary: Attempted (\d+) tasks of which (\d+) didn't need", output)
    assert m, output
    return int(m.group(1)), int(m.group(2))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project after one successful first build."""
    project = copy_project("basic", tmp_path_factory.mktemp("built"))
    output = build(project)
    assert summary(output) == (10, 1)  # only the noexec do_build did no work
    return project


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the built project (a relocated build directory) for one test to change."""
    dest = tmp_path / "copy"
    shutil.copytree(built, dest, symlinks=True)
    return dest


def test_first_build_runs_every_task_in_dependency_order(built: Path) -> None:
    work = journal(built)
    assert sorted(work) == sorted(ALL_WORK)
    assert work.index("libgreet:do_deploy") < work.index("hello:do_compile")
    assert work.index("hello:do_deploy") < work.index("test-image:do_rootfs")
    # The machine override (x86 from MACHINEOVERRIDES) and the bbappend both apply.
    assert (built / IMAGE).read_text().splitlines()[0] == "hello x86 (extended)"
    temp = built / "build/tmp/work/qemux86-64/hello/1.0-r0/temp"
    assert (temp / "log.do_compile").is_symlink()
    assert "do_compile" in (temp / "log.task_order").read_text()


def test_second_build_runs_no_task(project: Path) -> None:
    output = build(project)
    assert journal(project) == []
    attempted, not_rerun = summary(output)
    assert attempted == not_rerun == 10


def test_changing_a_variable_reruns_exactly_its_task_and_what_follows(project: Path,
                                                                     built: Path) -> None:
    recipe = project / "meta-core/recipes-core/hello/hello_1.0.bb"
    recipe.write_text(recipe.read_text() + 'INSTALL_NOTE = "second edition"\n')
    build(project)
    assert journal(project) == ["hello:do_install", "hello:do_deploy", "test-image:do_rootfs"]
    assert (project / IMAGE).read_text().splitlines()[1] == "second edition"
    # The copy is a relocated build directory: it must not touch the original's files.
    assert (built / "build/tmp/deploy/hello/hello.txt").read_text().startswith("hello x86")


def test_removing_tmp_restores_outputs_from_sstate(project: Path) -> None:
    image = (project / IMAGE).read_text()
    shutil.rmtree(project / "build" / "tmp")
    output = build(project)
    assert journal(project) == []
    assert "do_rootfs_setscene" in output
    assert (project / IMAGE).read_text() == image


def test_syntax_error_exits_non_zero_with_file_and_line(project: Path) -> None:
    recipe = project / "meta-core/recipes-core/libgreet/libgreet_1.0.bb"
    lines = recipe.read_text().splitlines()
    recipe.write_text("\n".join([*lines, 'BROKEN = "no closing quote']) + "\n")
    result = kas(project, "build", "kas.yml")
    assert result.returncode != 0
    assert f"ParseError at {recipe}:{len(lines) + 1}: unparsed line" in result.stdout


def test_failing_shell_task_exits_non_zero_and_shows_its_log(project: Path) -> None:
    recipe = project / "meta-core/recipes-core/hello/hello_1.0.bb"
    recipe.write_text(recipe.read_text() + "do_compile:append() {\n"
                      "    echo 'compiler says: no' >&2\n    false\n}\n")
    (project / "build" / "journal.txt").write_text("")
    result = kas(project, "build", "kas.yml")
    assert result.returncode != 0
    assert "ERROR: hello-1.0-r0 do_compile: task failed" in result.stdout
    assert re.search(r"Logfile of failure stored in: \S+/temp/log\.do_compile\.\d+",
                     result.stdout)
    assert "| compiler says: no" in result.stdout
    assert "test-image:do_rootfs" not in journal(project)


def test_kas_shell_prints_a_recipe_environment(project: Path) -> None:
    result = kas(project, "shell", "kas.yml", "-c", "bitbake -e hello")
    assert result.returncode == 0, result.stdout
    assert 'GREETING="hello x86 (extended)"' in result.stdout
    assert re.search(r"#   :append .*hello_%\.bbappend:1", result.stdout)


def test_kas_passes_extra_bitbake_arguments(project: Path) -> None:
    build(project, "--", "-C", "rootfs")
    assert journal(project) == ["test-image:do_rootfs"]
