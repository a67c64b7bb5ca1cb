"""Task signatures: what code reads, found by analysis, transitively; and diffsigs."""

from __future__ import annotations

from bake_helpers import parse

from bake.diffsigs import compare
from bake.siggen import SignatureGenerator, sigdata, task_hash

SHELL = """\
export CC = "gcc"
UNUSED = "never read"
HELPER_ARG = "-v"
do_compile() {
    ${CC} -o out main.c
    helper
}
helper() {
    echo ${HELPER_ARG}
}
addtask compile
"""

PYTHON = """\
def find_dest(d):
    return d.getVar("DEST_ROOT") + "/x"

python do_install() {
    dest = find_dest(d)
    mode = d.getVarFlag("MODES", "install")
    if bb.utils.contains("FEATURES", "docs", True, False, d):
        bb.build.exec_func("install_docs", d)
    path = d.expand("${PREFIX}/bin")
}
install_docs() {
    cp ${DOCS} .
}
DEST_ROOT = "/srv"
MODES[install] = "0755"
FEATURES = "docs"
PREFIX = "/usr"
DOCS = "README"
addtask install
"""


def deps(text: str, task: str, extra: str = "") -> set[str]:
    return set(SignatureGenerator(parse(text + extra)).task_sig(task).vars)


def basehash(text: str, task: str) -> str:
    return SignatureGenerator(parse(text)).task_sig(task).basehash


def test_shell_task_reads_references_called_functions_and_exports() -> None:
    found = deps(SHELL, "do_compile")
    assert {"do_compile", "CC", "helper", "HELPER_ARG"} <= found
    assert "UNUSED" not in found


def test_python_task_reads_getvar_flags_contains_exec_func_expand_and_defs() -> None:
    found = deps(PYTHON, "do_install")
    assert {"do_install", "find_dest", "DEST_ROOT", "MODES[install]", "FEATURES",
            "install_docs", "DOCS", "PREFIX"} <= found


def test_changing_a_read_variable_changes_the_hash_and_others_do_not() -> None:
    before = basehash(SHELL, "do_compile")
    assert basehash(SHELL + 'UNUSED = "changed"\n', "do_compile") == before
    assert basehash(SHELL + 'HELPER_ARG = "-q"\n', "do_compile") != before
    assert basehash(PYTHON + 'DEST_ROOT = "/opt"\n', "do_install") != \
        basehash(PYTHON, "do_install")


def test_exported_variables_count_for_shell_tasks() -> None:
    before = basehash(SHELL, "do_compile")
    assert basehash(SHELL + 'export NEWVAR = "1"\n', "do_compile") != before


def test_vardeps_adds_and_vardepsexclude_removes_direct_dependencies() -> None:
    extra = 'do_compile[vardeps] = "UNUSED"\nhelper[vardepsexclude] = "HELPER_ARG"\n'
    found = deps(SHELL, "do_compile", extra)
    assert "UNUSED" in found
    assert "HELPER_ARG" not in found
    # An exclusion is per variable: the task's own does not reach into `helper`.
    assert "HELPER_ARG" in deps(SHELL, "do_compile", 'do_compile[vardepsexclude] = "HELPER_ARG"\n')


def test_vardepvalue_replaces_the_hashed_value() -> None:
    text = SHELL + 'HELPER_ARG[vardepvalue] = "fixed"\n'
    assert basehash(text, "do_compile") == basehash(text + 'HELPER_ARG = "other"\n', "do_compile")


def test_ignored_variables_are_left_out_with_their_dependencies() -> None:
    text = SHELL + 'BB_BASEHASH_IGNORE_VARS = "HELPER_ARG"\n'
    assert "HELPER_ARG" not in deps(text, "do_compile")
    assert basehash(text, "do_compile") == basehash(text + 'HELPER_ARG = "x"\n', "do_compile")


def test_values_are_hashed_unexpanded_so_ignored_locations_do_not_matter() -> None:
    text = ('TMPDIR = "/a"\nWORKDIR = "${TMPDIR}/work"\nBB_BASEHASH_IGNORE_VARS = "TMPDIR"\n'
            "do_x() {\n    cd ${WORKDIR}\n}\naddtask x\n")
    assert basehash(text, "do_x") == basehash(text + 'TMPDIR = "/elsewhere"\n', "do_x")


def test_task_flags_and_prefuncs_are_inputs() -> None:
    base = basehash(SHELL, "do_compile")
    assert basehash(SHELL + 'do_compile[dirs] = "/x"\n', "do_compile") != base
    text = SHELL + 'do_compile[prefuncs] = "prep"\nprep() {\n    echo ${UNUSED}\n}\n'
    assert {"prep", "UNUSED"} <= deps(text, "do_compile")


def test_task_hash_covers_dependencies_files_and_taint() -> None:
    base = task_hash("b", {"x:do_a": "1"}, [("/f", "c1")], None)
    assert task_hash("b", {"x:do_a": "2"}, [("/f", "c1")], None) != base
    assert task_hash("b", {"x:do_a": "1"}, [("/f", "c2")], None) != base
    assert task_hash("b", {"x:do_a": "1"}, [("/f", "c1")], "taint") != base
    assert task_hash("b", {"x:do_a": "1"}, [("/f", "c1")], None) == base


def test_diff_names_the_changed_variable() -> None:
    old_sig = SignatureGenerator(parse(SHELL)).task_sig("do_compile")
    new_sig = SignatureGenerator(parse(SHELL + 'HELPER_ARG = "-q"\n')).task_sig("do_compile")
    old = sigdata(old_sig, "h1", {}, [], None, {})
    new = sigdata(new_sig, "h2", {}, [("/src/main.c", "abc")], None, {})
    lines = compare(old, new)
    assert "Variable HELPER_ARG value changed from '-v' to '-q'" in lines
    assert "Checksum of file /src/main.c changed from none to abc" in lines


def test_task_overrides_count_for_the_task_they_apply_to() -> None:
    from bake.recipes import _task_infos

    text = ('STAMP = "/s"\nOVERRIDES = "o"\nFLAGS = "-O2"\nFLAGS:task-compile = "-O3"\n'
            "do_compile() {\n    cc ${FLAGS}\n}\ndo_install() {\n    echo ${FLAGS}\n}\n"
            "addtask compile\naddtask install after compile\n")
    before = _task_infos("/r.bb", parse(text))
    after = _task_infos("/r.bb", parse(text + 'FLAGS:task-compile = "-O1"\n'))
    assert before["do_compile"].basehash != after["do_compile"].basehash
    assert before["do_install"].basehash == after["do_install"].basehash
