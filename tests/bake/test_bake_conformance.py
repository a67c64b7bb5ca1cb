"""Rules where the engine once differed from BitBake, each checked against BitBake's behaviour.

Each case was compared with the real BitBake (openembedded/bitbake) on the
same metadata; the expected values are what BitBake gives.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from bake_helpers import BITBAKE_CONF, bitbake, cooker, journal, make_build, parse

from bake import reports
from bake.bb import fetch
from bake.bb.parse import vars_from_file
from bake.data import DataStore
from bake.errors import BakeError, ParseError

# ----- values ---------------------------------------------------------------------------


def test_an_override_without_a_base_value_defines_the_variable() -> None:
    d = parse('OVERRIDES = "m"\nFOO:m = "x"\nBAR = "y"\nunset BAR\nBAR:m = "z"\n'
              'OFF:other = "no"\n')
    assert (d.getVar("FOO"), d.getVar("BAR")) == ("x", "z")
    assert {"FOO", "BAR", "FOO:m", "BAR:m"} <= set(d.keys())
    assert "FOO" in d and "BAR" in d
    assert "OFF" not in d and "OFF" not in set(d.keys())


def test_inline_python_returning_none_expands_to_none() -> None:
    d = parse('A = "${@None}"\nB = "${@d.getVarFlag(\'X\', \'f\')}"\n'
              'C = "${@d.getVar(\'UNSET\')}"\n')
    assert [d.getVar(v) for v in "ABC"] == ["None", "None", "None"]


def test_flag_weak_default_last_one_wins_and_loses_to_any_set() -> None:
    d = parse('X[f] ??= "one"\nX[f] ??= "two"\n'
              'Y[f] = "set"\nY[f] ??= "weak"\n'
              'Z[f] ??= "weak"\nZ[f] ?= "soft"\n'
              'W[f] ??= "weak"\nW[f] += "more"\n')
    assert d.getVarFlag("X", "f") == "two"
    assert d.getVarFlag("Y", "f") == "set"
    assert d.getVarFlag("Z", "f") == "soft"
    assert d.getVarFlag("W", "f") == " more"
    assert d.getVarFlag("X", "f", noweakdefault=True) is None
    assert d.getVarFlags("X") == {"f": "two"}
    d.delVarFlag("X", "f")
    assert d.getVarFlag("X", "f") is None


def test_inline_python_may_start_with_a_space() -> None:
    assert parse("A = \"${@ 'x'}\"\nB = \"${@  1 + 1 }\"\n").getVar("A") == "x"


def test_d_is_visible_in_generator_expressions_and_comprehensions() -> None:
    d = parse("A = \"a\"\nB = \"b\"\n"
              "G = \"${@' '.join(d.getVar(x) for x in ['A', 'B'])}\"\n"
              "L = \"${@[d.getVar(x) for x in ['B']][0]}\"\n"
              "S = \"${@sorted({d.getVar(x) for x in ['B', 'A']})[0]}\"\n")
    assert (d.getVar("G"), d.getVar("L"), d.getVar("S")) == ("a b", "b", "a")


def test_depends_is_set_at_the_end_of_parsing_even_after_unset() -> None:
    assert parse('DEPENDS = "a"\nunset DEPENDS\n', final=True).getVar("DEPENDS") == ""
    spaced = parse('DEPENDS = " a   b "\nDEPENDS:append = " c"\n', final=True)
    assert spaced.getVar("DEPENDS") == "a b c"


def test_noexec_with_any_value_skips_the_task(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'do_compile[noexec] = "0"\n'})
    result = bitbake(build, "a")
    assert result.returncode == 0, result.stdout
    assert journal(build) == ["a:do_fetch", "a:do_build"]
    assert 'do_compile[noexec] = "0" sets the flag' in result.stdout


# ----- parsing --------------------------------------------------------------------------


def test_a_value_with_three_double_quotes_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"^ParseError at /l/r\.bb:2: unparsed line"):
        parse('A = "ok"\nX = "a\\"b"\n', name="/l/r.bb")
    with pytest.raises(ParseError, match=r"/l/r\.conf:1: unparsed line"):
        parse("X = 'a\\'b'\n", name="/l/r.conf")
    assert parse('X = "a\\"b\\"c"\n').getVar("X") == 'a\\"b\\"c'


def test_an_indented_statement_or_comment_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"^ParseError at /l/r\.bb:2: unparsed line: '  X = "):
        parse('A = "1"\n  X = "a"\n', name="/l/r.bb")
    with pytest.raises(ParseError, match=r"/l/r\.conf:1: unparsed line"):
        parse('\t# comment\n', name="/l/r.conf")
    assert parse('A = "1"\n   \nB = "a \\\n    b"\n').getVar("B") == "a     b"


def test_addtask_without_a_function_warns_when_run_and_goes_on(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb":
                                  "addtask nosuchfunc after do_fetch before do_build\n"})
    result = bitbake(build, "a")
    assert result.returncode == 0, result.stdout
    assert "WARNING: a-1.0-r0 do_nosuchfunc: Function do_nosuchfunc doesn't exist" in \
        result.stdout
    assert journal(build) == ["a:do_fetch", "a:do_compile", "a:do_build"]


# ----- bitbake -e -----------------------------------------------------------------------


def emitted(text: str, history: bool = False) -> str:
    """`bitbake -e` of metadata `text`, finalised as a recipe."""
    d = DataStore()
    if history:
        d.history = {}
    parse(text, d=d, final=True)
    out = io.StringIO()
    reports.emit_env(d, out)
    return out.getvalue()


def test_e_history_shows_flag_operations_and_conditional_variants() -> None:
    out = emitted('OVERRIDES = "m"\nFOO:m = "x"\nX[f] ??= "one"\nX[f] = "two"\n', history=True)
    assert '# $FOO:m [1 operation]\n#   = /virtual/recipe.bb:2\n#     "x"\nFOO:m="x"\n' in out
    assert '# $X [2 operations]\n#   ??= /virtual/recipe.bb:3\n#     [_defaultval_flag_f] "one"\n' \
        '#   = /virtual/recipe.bb:4\n#     [f] "two"\n' in out


def test_e_escapes_backticks_and_not_backslashes() -> None:
    out = emitted("A = 'a`b\\c\"$d'\n")
    assert 'A="a\\`b\\c\\"\\$d"\n' in out


def test_e_prints_python_functions_as_written() -> None:
    out = emitted('P = "x"\npython do_p() {\n    bb.note("${P}")\n}\n'
                  'def helper(d):\n    return "${P}"\n')
    assert '\npython do_p () {\n    bb.note("${P}")\n}\n' in out
    # A def's text has no final newline, so BitBake's closing brace ends its last line.
    assert '\npython helper () {\ndef helper(d):\n    return "${P}"}\n' in out


def test_e_prints_conditional_variants() -> None:
    out = emitted('OVERRIDES = "m"\nFOO:m = "x"\nRDEPENDS:pkg = "b"\n')
    assert re.search(r'^FOO:m="x"$', out, re.M)
    assert re.search(r'^FOO="x"$', out, re.M)
    assert re.search(r'^RDEPENDS:pkg="b"$', out, re.M)


def test_e_prints_anonymous_functions_under_bitbakes_names() -> None:
    out = emitted('python () {\n    d.setVar("Q", "1")\n}\n')
    assert "\npython __anon_3__virtual_recipe_bb () {\ndef __anon_3__virtual_recipe_bb(d):\n" \
        '    d.setVar("Q", "1")\n}\n' in out


def test_e_says_where_each_shell_function_was_written() -> None:
    out = emitted('do_s() {\n    true\n}\n')
    assert "# line: 1, file: /virtual/recipe.bb\ndo_s() {\n    true\n}\n" in out


def test_e_comments_every_line_of_a_multi_line_history() -> None:
    out = emitted('X = "1"\npython () {\n    d.setVar("V", "${X}\\nNAME=${X}")\n}\n'
                  'do_x() {\n    cat <<EOF\nNAME=${X}\nEOF\n}\n', history=True)
    lines = out[:out.index("# line:")].splitlines()
    # Only the value itself continues on a line of its own, as in BitBake.
    assert [i for i, line in enumerate(lines) if line.startswith("NAME=")] == \
        [lines.index('V="1 \\') + 1]
    assert "#     NAME=${X}\"" in lines and "#   NAME=${X}\"" in lines


def test_configuration_and_recipes_set_bbincluded_bb_cachedir_and_file_layername(
        tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": ""})
    c = cooker(build)
    assert c.data.getVar("BB_CACHEDIR") == f"{build}/cache"
    included = c.data.getVar("BBINCLUDED").split()
    assert included[0] == f"{build}/conf/bblayers.conf"
    # Candidates looked for and not found are listed too, in search order.
    found = included.index(f"{tmp_path}/meta-test/classes/base.bbclass")
    assert included.index(f"{tmp_path}/meta-test/classes-global/base.bbclass") < found
    d = c.datastore(c.recipe_for("a"))
    assert d.getVar("BBINCLUDED").split()[-1] == f"{tmp_path}/meta-test/recipes/a/a.bb"
    assert d.getVar("FILE_LAYERNAME") == "test"


# ----- layers ---------------------------------------------------------------------------


def test_a_layer_with_compatible_series_needs_a_core_layer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = ('BBPATH .= ":${LAYERDIR}"\nBBFILE_COLLECTIONS += "test"\n'
             'BBFILE_PATTERN_test = "^${LAYERDIR}/"\n')
    build = make_build(tmp_path / "a", {"meta-test/conf/layer.conf":
                                        plain + 'LAYERSERIES_COMPAT_test = "herald"\n'})
    with pytest.raises(BakeError, match="No core layer found to work with layer 'test'"):
        cooker(build)
    cooker(make_build(tmp_path / "b", {"meta-test/conf/layer.conf": plain}))
    assert "WARNING: Layer test should set LAYERSERIES_COMPAT_test" in capsys.readouterr().err


def test_pn_pv_pr_come_from_the_metadata_not_the_engine(tmp_path: Path) -> None:
    conf = "\n".join(line for line in BITBAKE_CONF.splitlines()
                     if not line.startswith(("PN ", "PV ", "PR "))) + "\n"
    build = make_build(tmp_path, {"meta-test/conf/bitbake.conf":
                                  conf.replace("${PN}-${PV}", "x"),
                                  "meta-test/recipes/a/a_2.0_r3.bb": ""})
    c = cooker(build)
    fn = c.recipe_for("a")
    assert (c.infos[fn].pn, c.infos[fn].pv, c.infos[fn].pr) == ("a", "", "")
    assert [c.datastore(fn).getVar(v) for v in ("PN", "PV", "PR")] == [None, None, None]


def test_vars_from_file_names_only_recipes() -> None:
    assert vars_from_file("/l/foo_1.2_r1.bb") == ("foo", "1.2", "r1")
    assert vars_from_file("/l/foo_1.2.bbappend") == ("foo", "1.2", None)
    assert vars_from_file("/l/conf/bitbake.conf") == (None, None, None)
    with pytest.raises(ParseError, match="more than two underscores"):
        vars_from_file("/l/a_b_c_d.bb")


def test_checksum_file_list_names_what_was_searched_and_stops_on_a_missing_file(
        tmp_path: Path) -> None:
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "f.conf").write_text("x")
    d = parse(f'FILESPATH = "{tmp_path}/one:{tmp_path}/two"\nSRC_URI = "file://f.conf"\n')
    assert fetch.get_checksum_file_list(d) == \
        f"{tmp_path}/one/f.conf:False {tmp_path}/two/f.conf:True"
    d.setVar("SRC_URI", "file://missing.conf")
    with pytest.raises(BakeError, match=r"file://missing\.conf not found"):
        fetch.get_checksum_file_list(d)
    d.delVar("SRC_URI")
    with pytest.raises(BakeError, match="SRC_URI is not set"):
        fetch.get_checksum_file_list(d)

