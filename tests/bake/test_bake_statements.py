"""Sharing functionality, functions and tasks: include, require, inherit, addtask & co."""

from __future__ import annotations

from pathlib import Path

import pytest
from bake_helpers import parse

from bake.data import DataStore
from bake.errors import ParseError
from bake.parse import parse_text
from bake.recipes import finalize
from bake.statements import Context, eval_file


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def load(root: Path, recipe: str, final: bool = True) -> DataStore:
    """Evaluate `recipe` (relative to root) with BBPATH = root, as a recipe parse does."""
    d = DataStore()
    d.setVar("BBPATH", str(root))
    ctx = Context()
    fn = str(root / recipe)
    d.setVar("FILE", fn)
    eval_file(fn, d, ctx)
    if final:
        finalize(d, ctx, fn)
    return d


def test_include_searches_next_to_the_file_then_bbpath(tmp_path: Path) -> None:
    write(tmp_path, {"recipes/a.bb": "include a.inc\ninclude common/shared.inc\n",
                     "recipes/a.inc": 'LOCAL = "next to the recipe"\n',
                     "common/shared.inc": 'SHARED = "from BBPATH ${LOCAL}"\n'})
    d = load(tmp_path, "recipes/a.bb")
    assert d.getVar("SHARED") == "from BBPATH next to the recipe"


def test_include_of_a_missing_file_is_fine_but_require_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"a.bb": 'include nothere.inc\nA = "1"\n',
                     "b.bb": 'A = "1"\nrequire nothere.inc\n'})
    assert load(tmp_path, "a.bb").getVar("A") == "1"
    with pytest.raises(ParseError, match=r"b\.bb:2: Could not include required file nothere"):
        load(tmp_path, "b.bb")


def test_include_path_is_expanded_and_file_is_set_while_included(tmp_path: Path) -> None:
    write(tmp_path, {"a.bb": 'WHICH = "x"\nrequire ${WHICH}.inc\nAFTER := "${FILE}"\n',
                     "x.inc": 'INSIDE := "${FILE}"\n'})
    d = load(tmp_path, "a.bb")
    assert d.getVar("INSIDE") == str(tmp_path / "x.inc")
    assert d.getVar("AFTER") == str(tmp_path / "a.bb")


def test_include_all_reads_the_file_from_every_bbpath_entry(tmp_path: Path) -> None:
    write(tmp_path, {"one/conf/extra.conf": 'L += "one"\n', "two/conf/extra.conf": 'L += "two"\n'})
    d = DataStore()
    d.setVar("BBPATH", f"{tmp_path / 'one'}:{tmp_path / 'missing'}:{tmp_path / 'two'}")
    for stmt in parse_text("include_all conf/extra.conf\n", str(tmp_path / "x.conf")):
        stmt.eval(d, Context())
    assert d.getVar("L") == " one two"


def test_inherit_finds_classes_once_and_accepts_variables(tmp_path: Path) -> None:
    write(tmp_path, {"classes/foo.bbclass": 'FOO_COUNT .= "x"\n',
                     "classes-recipe/bar.bbclass": 'inherit foo\nBAR = "recipe class"\n',
                     "a.bb": 'WANT = "bar"\ninherit foo ${WANT}\ninherit foo\n'})
    d = load(tmp_path, "a.bb")
    assert d.getVar("FOO_COUNT") == "x"
    assert d.getVar("BAR") == "recipe class"


def test_inherit_of_an_empty_expression_does_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"a.bb": "inherit ${@'' if True else 'x'}\nA = \"1\"\n"})
    assert load(tmp_path, "a.bb").getVar("A") == "1"


def test_missing_class_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {"a.bb": 'A = "1"\ninherit nosuchclass\n'})
    with pytest.raises(ParseError, match=r"a\.bb:2: Could not inherit file "
                                         r"classes/nosuchclass\.bbclass"):
        load(tmp_path, "a.bb")


def test_inherit_defer_happens_after_the_recipe_so_late_values_count(tmp_path: Path) -> None:
    write(tmp_path, {"classes/early.bbclass": 'SEEN_NOW := "${CHOICE}"\n',
                     "classes/late.bbclass": 'SEEN_LATE := "${CHOICE}"\n',
                     "a.bb": 'CHOICE = "first"\ninherit early\ninherit_defer late\n'
                             'CHOICE = "second"\n'})
    d = load(tmp_path, "a.bb")
    assert d.getVar("SEEN_NOW") == "first"
    assert d.getVar("SEEN_LATE") == "second"


def test_shell_function_with_append_prepend_and_override(tmp_path: Path) -> None:
    d = parse('OVERRIDES = "m"\ndo_foo() {\n    first\n}\ndo_foo:prepend() {\n    zero\n}\n'
              'do_foo:append() {\n    last\n}\nfn:m() {\n    machine\n}\nfn() {\n    generic\n}\n')
    assert d.getVar("do_foo").split() == ["zero", "first", "last"]
    assert d.getVar("fn").split() == ["machine"]
    assert d.getVarFlag("do_foo", "func") == 1
    assert not d.getVarFlag("do_foo", "python")


def test_python_function_flags_and_body(tmp_path: Path) -> None:
    d = parse('python do_foo:prepend() {\n    bb.plain("first")\n}\n'
              'python do_foo() {\n    bb.plain("second")\n}\n')
    assert d.getVarFlag("do_foo", "python") == 1
    assert d.getVar("do_foo", False) == '    bb.plain("first")\n    bb.plain("second")\n'
    assert d.getVarFlag("do_foo", "lineno") == 4


def test_unclosed_function_is_an_error() -> None:
    with pytest.raises(ParseError, match=r":1: function is not closed"):
        parse("do_foo() {\n    echo\n")


def test_functions_are_not_allowed_in_conf_files() -> None:
    with pytest.raises(ParseError, match=r"x\.conf:1: unparsed line"):
        parse("do_foo() {\n}\n", name="/l/conf/x.conf")
    with pytest.raises(ParseError, match=r"x\.conf:1: 'inherit' is not allowed in a \.conf file"):
        parse("inherit foo\n", name="/l/conf/x.conf")


@pytest.mark.parametrize(("line", "what"), [
    ("addhandler my_handler", "event handlers"),
    ("fakeroot do_x() {\n}", "fakeroot functions"),
    ("addpylib ${LAYERDIR}/lib oe", "addpylib"),
])
def test_unsupported_statements_are_errors(line: str, what: str) -> None:
    with pytest.raises(ParseError, match=rf"recipe\.bb:1: {what}.* not supported"):
        parse(line + "\n")


def test_addtask_orders_tasks_and_adds_the_do_prefix() -> None:
    d = parse("do_a() {\n}\ndo_b() {\n}\ndo_c() {\n}\n"
              "addtask a\naddtask c after a before build\naddtask b after do_a before c # note\n")
    assert d.getVar("__BBTASKS", False) == ("do_a", "do_c", "do_b")
    assert d.getVarFlag("do_c", "deps") == ("do_b", "do_a")
    assert d.getVarFlag("do_build", "deps") == ("do_c",)


def test_deltask_removes_the_task_without_bridging_dependencies() -> None:
    d = parse("do_a() {\n}\ndo_b() {\n}\ndo_c() {\n}\n"
              "addtask a\naddtask b after a\naddtask c after b\ndeltask b\n")
    assert d.getVar("__BBTASKS", False) == ("do_a", "do_c")
    assert d.getVarFlag("do_c", "deps") == ()


def test_export_functions_lets_a_recipe_call_the_class_version(tmp_path: Path) -> None:
    write(tmp_path, {
        "classes/bar.bbclass": "EXPORT_FUNCTIONS do_foo\nbar_do_foo() {\n    class_version\n}\n"
                               "python bar_do_py() {\n    pass\n}\nEXPORT_FUNCTIONS do_py\n",
        "plain.bb": "inherit bar\n",
        "custom.bb": "inherit bar\ndo_foo() {\n    mine\n    bar_do_foo\n}\n"})
    plain = load(tmp_path, "plain.bb")
    assert plain.getVar("do_foo") == "    # Export function set\n    bar_do_foo\n"
    assert plain.getVar("do_py") == "    # Export function set\n" \
        "    bb.build.exec_func('bar_do_py', d)\n"
    assert plain.getVarFlag("do_py", "python") == 1
    assert load(tmp_path, "custom.bb").getVar("do_foo").split() == ["mine", "bar_do_foo"]


def test_export_functions_outside_a_class_is_an_error() -> None:
    with pytest.raises(ParseError, match="only allowed in a class"):
        parse("EXPORT_FUNCTIONS do_foo\n")


def test_skip_recipe_from_anonymous_python(tmp_path: Path) -> None:
    from bake.errors import SkipRecipe

    with pytest.raises(SkipRecipe, match="not for this machine"):
        parse("python () {\n    raise bb.parse.SkipRecipe('not for this machine')\n}\n",
              final=True)


def test_bbclassextend_is_reported_as_unsupported() -> None:
    with pytest.raises(ParseError, match="BBCLASSEXTEND"):
        parse('BBCLASSEXTEND = "native"\n', final=True)
