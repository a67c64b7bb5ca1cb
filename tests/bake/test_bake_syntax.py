"""One test per rule of the BitBake user manual's "Syntax and Operators" chapter."""

from __future__ import annotations

import pytest
from bake_helpers import parse

from bake.data import DataStore
from bake.errors import ExpansionError, ParseError

# ----- basic syntax ---------------------------------------------------------------------


def test_assignment_keeps_leading_and_trailing_spaces() -> None:
    d = parse('A = " value"\nB = "value "\nC = ""\nE = " "\n')
    assert [d.getVar(v) for v in "ABCE"] == [" value", "value ", "", " "]


def test_single_quotes_allow_double_quotes_and_still_expand() -> None:
    d = parse("X = 'x'\nA = 'I have a \" in my value ${X}'\n")
    assert d.getVar("A") == 'I have a " in my value x'


def test_line_continuation_joins_without_newline() -> None:
    d = parse('FOO = "bar \\\n baz \\\nqaz"\nBAR = "bar\\\nbaz"\n')
    assert d.getVar("FOO") == "bar  baz qaz"
    assert d.getVar("BAR") == "barbaz"


def test_escape_sequences_are_not_interpreted() -> None:
    assert parse('A = "a\\nb"\n').getVar("A") == "a\\nb"


def test_comments_are_ignored_but_a_continued_comment_into_code_is_an_error() -> None:
    d = parse('# A = "no"\n  \nA = "yes"\n')
    assert d.getVar("A") == "yes"
    with pytest.raises(ParseError, match=r"recipe.bb:1: a comment ends with a backslash"):
        parse('# comment \\\nA = "x"\n')


def test_unparsed_line_names_file_and_line() -> None:
    with pytest.raises(ParseError) as err:
        parse('A = "1"\nthis is not metadata\n', name="/layer/r.bb")
    assert str(err.value) == "ParseError at /layer/r.bb:2: unparsed line: 'this is not metadata'"


def test_unterminated_quote_is_an_error() -> None:
    with pytest.raises(ParseError, match=":1: unparsed line"):
        parse('A = "unterminated\n')


# ----- expansion ------------------------------------------------------------------------


def test_expansion_is_deferred_until_use() -> None:
    d = parse('A = "${B} baz"\nB = "${C} bar"\nC = "foo"\n')
    assert d.getVar("A") == "foo bar baz"
    d.setVar("C", "qux")
    assert d.getVar("A") == "qux bar baz"
    d.setVar("B", "norf")
    assert d.getVar("A") == "norf baz"


def test_undefined_reference_is_kept_literally() -> None:
    assert parse('BAR = "${FOO}"\n').getVar("BAR") == "${FOO}"


def test_only_braced_references_expand() -> None:
    assert parse('FOO = "x"\nA = "$FOO ${FOO}"\n').getVar("A") == "$FOO x"


def test_self_reference_is_an_error_naming_the_variable() -> None:
    d = parse('A = "${A} more"\n')
    with pytest.raises(ExpansionError, match="variable A references itself"):
        d.getVar("A")


def test_expand_returns_unexpanded_value_when_asked() -> None:
    d = parse('B = "b"\nA = "${B}"\n')
    assert d.getVar("A", False) == "${B}"


# ----- ?= and ??= -----------------------------------------------------------------------


def test_soft_default_sets_only_if_unset_and_first_wins() -> None:
    d = parse('A ?= "aval"\nA ?= "second"\nB = "set"\nB ?= "ignored"\n')
    assert d.getVar("A") == "aval"
    assert d.getVar("B") == "set"


def test_weak_default_is_applied_at_the_end_and_last_wins() -> None:
    d = parse('A ??= "somevalue"\nA ??= "someothervalue"\n')
    assert d.getVar("A") == "someothervalue"


def test_weak_default_loses_to_any_assignment_even_a_later_soft_one() -> None:
    d = parse('A ??= "weak"\nA ?= "soft"\nB = "hard"\nB ??= "weak"\n')
    assert d.getVar("A") == "soft"
    assert d.getVar("B") == "hard"


def test_append_operator_ignores_a_weak_default() -> None:
    d = parse('W ??= "x"\nW += "y"\n')
    assert d.getVar("W") == " y"


def test_override_style_append_applies_to_a_weak_default() -> None:
    d = parse('W ??= "x"\nW:append = "y"\n')
    assert d.getVar("W") == "xy"


# ----- := ---------------------------------------------------------------------------------


def test_immediate_expansion_uses_values_at_parse_time() -> None:
    d = parse('T = "123"\nA := "test ${T}"\nT = "456"\nB := "${T} ${C}"\nC = "cval"\n'
              'C := "${C}append"\n')
    assert d.getVar("A") == "test 123"
    assert d.getVar("B") == "456 cvalappend"
    assert d.getVar("C") == "cvalappend"


def test_immediate_expansion_keeps_undefined_references() -> None:
    d = parse('A := "${UNDEF} x"\nUNDEF = "late"\n')
    assert d.getVar("A", False) == "${UNDEF} x"


# ----- += =+ .= =. ---------------------------------------------------------------------------


def test_append_and_prepend_with_spaces() -> None:
    d = parse('B = "bval"\nB += "additionaldata"\nC = "cval"\nC =+ "test"\n')
    assert d.getVar("B") == "bval additionaldata"
    assert d.getVar("C") == "test cval"


def test_append_and_prepend_without_spaces() -> None:
    d = parse('B = "bval"\nB .= "additionaldata"\nC = "cval"\nC =. "test"\n')
    assert d.getVar("B") == "bvaladditionaldata"
    assert d.getVar("C") == "testcval"


def test_immediate_append_is_lost_to_a_later_assignment() -> None:
    d = parse('FOO += "val"\nFOO = "initial"\n')
    assert d.getVar("FOO") == "initial"


# ----- :append :prepend :remove ----------------------------------------------------------------


def test_override_style_append_and_prepend() -> None:
    d = parse('B = "bval"\nB:append = " additional data"\nC = "cval"\n'
              'C:prepend = "additional data "\nD = "dval"\nD:append = "additional data"\n')
    assert d.getVar("B") == "bval additional data"
    assert d.getVar("C") == "additional data cval"
    assert d.getVar("D") == "dvaladditional data"


def test_override_style_append_survives_a_later_assignment() -> None:
    d = parse('FOO:append = " val"\nFOO = "initial"\n')
    assert d.getVar("FOO") == "initial val"


def test_appends_accumulate_in_order() -> None:
    d = parse('FOO = "x"\nFOO:append = "bar"\nFOO:append = "baz"\nFOO:prepend = "1"\n'
              'FOO:prepend = "2"\n')
    assert d.getVar("FOO") == "21xbarbaz"


def test_mixed_operators_apply_immediate_ones_first() -> None:
    d = parse('A = "1"\nA:append = "2"\nA:append = "3"\nA += "4"\nA .= "5"\n')
    assert d.getVar("A") == "1 4523"


def test_remove_takes_out_every_occurrence_and_keeps_spacing() -> None:
    d = parse('FOO = "123 456 789 123456 123 456 123 456"\nFOO:remove = "123"\n'
              'FOO:remove = "456"\n'
              'FOO2 = " abc def ghi abcdef abc def abc def def"\n'
              'FOO2:remove = "\\\n    def \\\n    abc \\\n    ghi \\\n    "\n')
    assert d.getVar("FOO") == "  789 123456    "
    assert d.getVar("FOO2") == "    abcdef     "


def test_remove_values_are_expanded() -> None:
    d = parse('X = "b"\nL = "a b c"\nL:remove = "${X}"\n')
    assert d.getVar("L") == "a  c"


def test_appending_an_operation_with_plus_equals_adds_a_space() -> None:
    d = parse('FOO = "x"\nFOO:append = "bar"\nFOO:append += "baz"\n')
    assert d.getVar("FOO") == "xbar baz"


def test_old_override_syntax_is_an_error() -> None:
    with pytest.raises(ParseError, match=r":2: FOO_append uses the old override syntax"):
        parse('FOO = "x"\nFOO_append = " y"\n')


# ----- flags ----------------------------------------------------------------------------------


def test_variable_flags_with_operators() -> None:
    d = parse('FOO[a] = "abc"\nFOO[b] = "123"\nFOO[a] += "456"\nFOO[b] .= "7"\n'
              'FOO[c] ?= "soft"\nFOO[c] ?= "ignored"\n')
    assert d.getVarFlag("FOO", "a") == "abc 456"
    assert d.getVarFlag("FOO", "b") == "1237"
    assert d.getVarFlag("FOO", "c") == "soft"
    assert d.getVar("FOO") is None


def test_flags_expand_when_read() -> None:
    d = parse('X = "x"\nFOO[doc] = "about ${X}"\n')
    assert d.getVarFlag("FOO", "doc") == "about x"
    assert d.getVarFlag("FOO", "doc", False) == "about ${X}"


def test_unset_variable_and_flag() -> None:
    d = parse('DATE = "1"\ndo_fetch[noexec] = "1"\ndo_fetch[dirs] = "x"\nunset DATE\n'
              'unset do_fetch[noexec]\n')
    assert d.getVar("DATE") is None
    assert d.getVarFlag("do_fetch", "noexec") is None
    assert d.getVarFlag("do_fetch", "dirs") == "x"


# ----- inline python ------------------------------------------------------------------------------


def test_inline_python_sees_d_and_bb() -> None:
    d = parse('FILE_PN = "${@bb.parse.vars_from_file(d.getVar(\'FILE\', False), d)[0]}"\n'
              'N = "${@len(\'abc\') + 1}"\n', name="/l/foo_1.2.bb")
    assert d.getVar("FILE_PN") == "foo"
    assert d.getVar("N") == "4"


def test_inline_python_is_evaluated_each_time_unless_immediate() -> None:
    d = parse('COUNT = "1"\nA = "${@int(d.getVar(\'COUNT\')) * 2}"\n'
              'B := "${@int(d.getVar(\'COUNT\')) * 2}"\n')
    d.setVar("COUNT", "5")
    assert d.getVar("A") == "10"
    assert d.getVar("B") == "2"


def test_inline_python_with_braces_and_nested_references() -> None:
    d = parse('X = "k"\nA = "${@{\'k\': \'v\'}[\'${X}\']}"\n')
    assert d.getVar("A") == "v"


def test_inline_python_error_names_variable_and_exception() -> None:
    d = parse('A = "${@undefined_function()}"\n')
    with pytest.raises(ExpansionError, match=r"variable A.*NameError"):
        d.getVar("A")


def test_def_functions_are_callable_from_inline_python() -> None:
    d = parse("def get_depends(d):\n    if d.getVar('SOMECONDITION'):\n"
              "        return 'dependencywithcond'\n    return 'dependency'\n\n"
              'SOMECONDITION = "1"\nDEPENDS = "${@get_depends(d)}"\n')
    assert d.getVar("DEPENDS") == "dependencywithcond"


# ----- export ---------------------------------------------------------------------------------


def test_export_before_or_after_assignment() -> None:
    d = parse('export ENV_VARIABLE\nENV_VARIABLE = "value"\nexport OTHER = "v2"\n')
    assert d.getVarFlag("ENV_VARIABLE", "export") == "1"
    assert d.getVarFlag("OTHER", "export") == "1"
    assert d.getVar("OTHER") == "v2"


# ----- overrides --------------------------------------------------------------------------------


def test_override_selects_conditional_value() -> None:
    d = parse('OVERRIDES = "architecture:os:machine"\nTEST = "default"\n'
              'TEST:os = "osspecific"\nTEST:nooverride = "othercondvalue"\n')
    assert d.getVar("TEST") == "osspecific"


def test_later_override_has_priority() -> None:
    d = parse('OVERRIDES = "a:b"\nX = "0"\nX:b = "b"\nX:a = "a"\n')
    assert d.getVar("X") == "b"


def test_conditional_append() -> None:
    d = parse('DEPENDS = "glibc ncurses"\nOVERRIDES = "machine:local"\n'
              'DEPENDS:append:machine = " libmad"\nDEPENDS:append:other = " no"\n')
    assert d.getVar("DEPENDS") == "glibc ncurses libmad"


def test_override_then_append_replaces_with_the_override() -> None:
    d = parse('OVERRIDES = "foo"\nA = "Z"\nA:foo:append = "X"\n')
    assert d.getVar("A") == "X"


def test_append_with_override_appends_to_base() -> None:
    d = parse('OVERRIDES = "foo"\nA = "Z"\nA:append:foo = "X"\n')
    assert d.getVar("A") == "ZX"


def test_appends_to_an_override_accumulate_before_it_replaces() -> None:
    d = parse('OVERRIDES = "foo"\nA = "Y"\nA:foo:append = "Z"\nA:foo:append = "X"\n')
    assert d.getVar("A") == "ZX"


def test_multi_part_override_needs_all_parts() -> None:
    d = parse('OVERRIDES = "a:b"\nX = "0"\nX:a:c = "ac"\nX:a:b = "ab"\n')
    assert d.getVar("X") == "ab"


def test_overrides_come_from_expanded_variables() -> None:
    d = parse('MACHINE = "qemux86-64"\nOVERRIDES = "${MACHINE}"\n'
              'KBRANCH = "standard/base"\nKBRANCH:qemux86-64 = "standard/common-pc-64/base"\n'
              'KBRANCH:qemuarm = "standard/arm"\n')
    assert d.getVar("KBRANCH") == "standard/common-pc-64/base"
    d.setVar("MACHINE", "qemuarm")
    assert d.getVar("KBRANCH") == "standard/arm"


def test_task_override_applies_while_the_task_runs() -> None:
    from bake.build import prepare

    d = parse('OVERRIDES = "x"\nFOO = "plain"\nFOO:task-compile = "val 2"\n'
              'EXTRA:prepend:task-compile = "-j4 "\nEXTRA = "make"\n')
    assert d.getVar("FOO") == "plain"
    prepare(d, "do_compile", "hash")
    assert d.getVar("FOO") == "val 2"
    assert d.getVar("EXTRA") == "-j4 make"


def test_key_expansion_at_finalisation_replaces_existing_value() -> None:
    d = parse('A${B} = "X"\nB = "2"\nA2 = "Y"\n', final=True)
    assert d.getVar("A2") == "X"


def test_key_expansion_keeps_override_meaning() -> None:
    d = parse('PN = "foo"\nOVERRIDES = "o"\nRDEPENDS:${PN} = "a"\nRDEPENDS:${PN}:append:o = " b"\n',
              final=True)
    assert d.getVar("RDEPENDS:foo") == "a b"


# ----- anonymous python and copies ----------------------------------------------------


def test_anonymous_python_runs_at_the_end_in_order() -> None:
    d = parse("python () {\n    d.setVar('FOO', 'foo 2')\n}\nFOO = \"foo 1\"\n"
              "python () {\n    d.appendVar('BAR', ' bar 2')\n}\nBAR = \"bar 1\"\n", final=True)
    assert d.getVar("FOO") == "foo 2"
    assert d.getVar("BAR") == "bar 1 bar 2"


def test_anonymous_setvar_drops_pending_appends() -> None:
    d = parse('FOO = "foo"\nFOO:append = " from outside"\n'
              'python () {\n    d.setVar("FOO", "foo from anonymous")\n}\n', final=True)
    assert d.getVar("FOO") == "foo from anonymous"


def test_anonymous_python_error_names_file_and_line() -> None:
    with pytest.raises(ParseError, match=r"r.bb:3: anonymous Python function failed: "
                                         r"ZeroDivisionError"):
        parse('A = "1"\npython () {\n    1 / 0\n}\n', name="/l/r.bb", final=True)


def test_datastore_copies_do_not_leak_into_each_other() -> None:
    base = parse('A = "1"\nL = "x"\nL:append = " y"\n')
    copy = base.createCopy()
    copy.setVar("A", "2")
    copy.setVar("L:append", " z")
    assert (base.getVar("A"), base.getVar("L")) == ("1", "x y")
    assert (copy.getVar("A"), copy.getVar("L")) == ("2", "x y z")


def test_data_store_api_round_trip() -> None:
    d = DataStore()
    d.setVar("X", "a")
    d.appendVar("X", "b")
    d.prependVar("X", "0")
    d.setVarFlag("X", "doc", "text")
    d.appendVarFlag("X", "doc", "!")
    d.renameVar("X", "Y")
    assert d.getVar("X") is None
    assert d.getVar("Y") == "0ab"
    assert d.getVarFlags("Y") == {"doc": "text!"}
    d.delVarFlag("Y", "doc")
    d.delVar("Y")
    assert "Y" not in d
