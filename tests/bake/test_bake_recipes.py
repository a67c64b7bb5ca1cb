"""Configuration, layers, recipes, bbappends, providers and the task graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from bake_helpers import cooker, layer_conf, make_build

from bake.cooker import Cooker
from bake.errors import BakeError, ParseError
from bake.taskgraph import GraphBuilder, split_tid


def pn_of(c: Cooker, fn: str) -> str:
    return c.infos[fn].pn


# ----- configuration and layers -------------------------------------------------------------


def test_layerdir_is_expanded_in_place_for_each_layer(tmp_path: Path) -> None:
    build = make_build(tmp_path, {
        "meta-test/conf/layer.conf": layer_conf("test", extra='SCRIPTS = "${LAYERDIR}/scripts"\n'),
        "meta-two/conf/layer.conf": layer_conf("two", extra='TWO_DIR = "${LAYERDIR}"\n')})
    d = cooker(build).data
    assert d.getVar("SCRIPTS") == f"{tmp_path}/meta-test/scripts"
    assert d.getVar("TWO_DIR") == f"{tmp_path}/meta-two"
    assert d.getVar("LAYERDIR") is None
    assert d.getVar("BBPATH") == f"{build}:{tmp_path}/meta-test:{tmp_path}/meta-two"


def test_layer_dependencies_and_series_are_checked(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/conf/layer.conf": layer_conf(
        "test", extra='LAYERDEPENDS_test = "core (>= 2)"\n')})
    with pytest.raises(BakeError, match=r"depends on layer 'core'.*not enabled"):
        cooker(build)
    build = make_build(tmp_path / "b", {"meta-test/conf/layer.conf": layer_conf(
        "test", extra='LAYERSERIES_CORENAMES = "trixie"\nLAYERSERIES_COMPAT_test = "bookworm"\n')})
    with pytest.raises(BakeError, match="Layer test is not compatible"):
        cooker(build)


def test_missing_bitbake_conf_and_missing_layer_are_errors(tmp_path: Path) -> None:
    build = make_build(tmp_path, {})
    (tmp_path / "meta-test/conf/bitbake.conf").unlink()
    with pytest.raises(BakeError, match=r"Unable to find conf/bitbake\.conf"):
        cooker(build)
    (build / "conf/bblayers.conf").write_text('BBLAYERS = "/nonexistent/layer"\n')
    with pytest.raises(BakeError, match="Layer directory '/nonexistent/layer' does not exist"):
        cooker(build)


def test_environment_passthrough(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/conf/bitbake.conf":
                                  'DL_DIR ?= "${TOPDIR}/downloads"\nSECRET ?= "default"\n'})
    env = {"PATH": "/usr/bin", "DL_DIR": "/cache/dl", "SECRET": "leak",
           "BB_ENV_PASSTHROUGH_ADDITIONS": "DL_DIR"}
    d = cooker(build, env).data
    assert d.getVar("DL_DIR") == "/cache/dl"
    assert d.getVar("SECRET") == "default"
    assert d.getVarFlag("PATH", "export") == "1"


def test_base_and_inherit_classes_apply_to_every_recipe(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/classes-global/stamp.bbclass": 'GLOBAL = "yes"\n',
                                  "meta-test/recipes/a/a.bb": ""}, local='INHERIT += "stamp"\n')
    c = cooker(build)
    (fn,) = c.infos
    assert c.datastore(fn).getVar("GLOBAL") == "yes"
    assert "do_build" in c.infos[fn].tasks


# ----- recipes and appends ------------------------------------------------------------------------


def test_pn_pv_pr_come_from_the_file_name(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/foo_2.1_r3.bb": "",
                                  "meta-test/recipes/a/bar.bb": ""})
    c = cooker(build)
    versions = sorted((i.pn, i.pv, i.pr) for i in c.infos.values())
    assert versions == [("bar", "1.0", "r0"), ("foo", "2.1", "r3")]


def test_bbappends_apply_in_layer_priority_order_with_wildcards(tmp_path: Path) -> None:
    build = make_build(tmp_path, {
        "meta-test/recipes/a/foo_1.2.bb": 'V = "base"\n',
        "meta-high/conf/layer.conf": layer_conf("high", priority=9),
        "meta-high/recipes/a/foo_%.bbappend": 'V .= " high"\n',
        "meta-low/conf/layer.conf": layer_conf("low", priority=1),
        "meta-low/recipes/a/foo_1.%.bbappend": 'V .= " low"\nWHERE := "${FILE}"\n',
        "meta-low/recipes/a/foo_1.2.bbappend": 'V .= " exact"\n'})
    c = cooker(build)
    (fn,) = c.infos
    d = c.datastore(fn)
    assert d.getVar("V") in ("base low exact high", "base exact low high")
    assert d.getVar("WHERE").endswith("foo_1.%.bbappend")
    assert d.getVar("FILE") == fn


def test_append_without_recipe_is_an_error(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/ghost_%.bbappend": ""})
    with pytest.raises(BakeError, match=r"No recipes available for:\n  .*ghost_%\.bbappend"):
        cooker(build)


def test_bbmask_hides_recipes(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": "", "meta-test/recipes/b/b.bb": ""},
                       local='BBMASK = "/recipes/b/"\n')
    c = cooker(build)
    assert [i.pn for i in c.infos.values()] == ["a"]
    assert c.stats.masked == 1


def test_recipe_parse_error_names_its_file(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'A = "1"\nA[flag = "x"\n'})
    with pytest.raises(ParseError, match=r"recipes/a/a\.bb:2: unparsed line"):
        cooker(build)


def test_unsupported_task_flag_is_an_error(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'do_build[recideptask] = "x"\n'})
    with pytest.raises(ParseError, match=r"do_build\[recideptask\] is not supported"):
        cooker(build)


# ----- providers --------------------------------------------------------------------------


def provider_build(tmp_path: Path, local: str = "") -> Path:
    return make_build(tmp_path, {
        "meta-test/recipes/k/kernel-a_1.0.bb": 'PROVIDES = "virtual/kernel"\n',
        "meta-test/recipes/k/kernel-b_2.0.bb": 'PROVIDES = "virtual/kernel"\n',
        "meta-test/recipes/t/tool_1.9.bb": "",
        "meta-test/recipes/t/tool_1.10.bb": "",
        "meta-test/recipes/t/tool_2.0.bb": 'DEFAULT_PREFERENCE = "-1"\n',
        "meta-test/recipes/p/pkg.bb": 'PACKAGES = "pkg pkg-extra"\n'
                                      'RPROVIDES:pkg-extra = "extra-feature"\n'}, local)


def chosen(build: Path, name: str, runtime: bool = False) -> tuple[str, str]:
    c = cooker(build)
    info = c.infos[c.providers.resolve(name, runtime)]
    return info.pn, info.pv


def test_highest_version_wins_unless_default_preference_lowers_it(tmp_path: Path) -> None:
    assert chosen(provider_build(tmp_path), "tool") == ("tool", "1.10")


def test_preferred_version_with_wildcard(tmp_path: Path) -> None:
    assert chosen(provider_build(tmp_path, 'PREFERRED_VERSION_tool = "1.9%"\n'), "tool") == \
        ("tool", "1.9")
    assert chosen(provider_build(tmp_path / "b", 'PREFERRED_VERSION_tool = "2.0"\n'), "tool") == \
        ("tool", "2.0")


def test_preferred_provider_picks_among_providers(tmp_path: Path) -> None:
    local = 'PREFERRED_PROVIDER_virtual/kernel = "kernel-b"\n'
    assert chosen(provider_build(tmp_path, local), "virtual/kernel") == ("kernel-b", "2.0")
    local = 'PREFERRED_PROVIDER_virtual/kernel = "kernel-z"\n'
    with pytest.raises(BakeError, match="set to 'kernel-z', but no recipe named kernel-z"):
        chosen(provider_build(tmp_path / "b", local), "virtual/kernel")


def test_runtime_names_resolve_through_packages_and_rprovides(tmp_path: Path) -> None:
    build = provider_build(tmp_path)
    assert chosen(build, "pkg-extra", runtime=True)[0] == "pkg"
    assert chosen(build, "extra-feature", runtime=True)[0] == "pkg"


def test_nothing_provides_names_who_needs_it(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'DEPENDS = "missing-lib"\n'})
    c = cooker(build)
    with pytest.raises(BakeError, match=r"Nothing PROVIDES 'missing-lib' \(a depends on it\)"):
        GraphBuilder(c.infos, c.providers).build(c.target_tids(["a"], "build"))


def test_assume_provided_satisfies_a_dependency(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'DEPENDS = "host-tool"\n'},
                       local='ASSUME_PROVIDED = "host-tool"\n')
    c = cooker(build)
    graph = GraphBuilder(c.infos, c.providers).build(c.target_tids(["a"], "build"))
    assert {pn_of(c, split_tid(t)[0]) for t in graph.deps} == {"a"}


def test_skipped_recipe_is_explained_when_needed(tmp_path: Path) -> None:
    build = make_build(tmp_path, {
        "meta-test/recipes/a/a.bb": 'DEPENDS = "b"\n',
        "meta-test/recipes/b/b.bb":
            "python () {\n    raise bb.parse.SkipRecipe('wrong arch')\n}\n"})
    c = cooker(build)
    assert c.stats.skipped == 1
    with pytest.raises(BakeError, match=r"Nothing PROVIDES 'b'.*\n  b was skipped: wrong arch"):
        GraphBuilder(c.infos, c.providers).build(c.target_tids(["a"], "build"))


# ----- task graph -------------------------------------------------------------------------


def graph_of(build: Path, target: str, task: str = "build") -> dict[str, set[str]]:
    c = cooker(build)
    graph = GraphBuilder(c.infos, c.providers).build(c.target_tids([target], task))

    def name(t: str) -> str:
        fn, tk = split_tid(t)
        return f"{c.infos[fn].pn}:{tk}"
    return {name(t): {name(x) for x in deps} for t, deps in graph.deps.items()}


def test_deptask_depends_on_that_task_of_every_depends_entry(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'DEPENDS = "b c"\n',
                                  "meta-test/recipes/b/b.bb": "",
                                  "meta-test/recipes/c/c.bb": ""})
    g = graph_of(build, "a")
    assert g["a:do_compile"] == {"a:do_fetch", "b:do_build", "c:do_build"}
    assert g["a:do_build"] == {"a:do_compile"}


def test_depends_flag_and_rdeptask_and_recrdeptask(tmp_path: Path) -> None:
    build = make_build(tmp_path, {
        "meta-test/recipes/img/img.bb": 'do_image() {\n    :\n}\naddtask image before do_build\n'
                                        'do_image[depends] = "a:do_fetch"\n'
                                        'do_image[recrdeptask] = "do_compile"\n'
                                        'RDEPENDS:img = "rt"\ndo_image[rdeptask] = "do_fetch"\n',
        "meta-test/recipes/a/a.bb": 'DEPENDS = "b"\n',
        "meta-test/recipes/b/b.bb": "",
        "meta-test/recipes/rt/rt.bb": ""})
    g = graph_of(build, "img")
    assert g["img:do_image"] == {"a:do_fetch", "rt:do_fetch", "a:do_compile", "b:do_compile",
                                 "rt:do_compile"}


def test_depends_on_a_missing_task_is_an_error(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'do_build[depends] = "b:do_nope"\n',
                                  "meta-test/recipes/b/b.bb": ""})
    with pytest.raises(BakeError, match=r"a:do_build\[depends\] refers to task do_nope of b"):
        graph_of(build, "a")


def test_dependency_loop_is_reported(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": 'DEPENDS = "b"\n',
                                  "meta-test/recipes/b/b.bb": 'DEPENDS = "a"\n'})
    with pytest.raises(BakeError, match="Task dependency loop"):
        graph_of(build, "a")


def test_unknown_target_task_is_an_error(tmp_path: Path) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb": ""})
    with pytest.raises(BakeError, match="Task do_nothing does not exist for target a"):
        graph_of(build, "a", "nothing")


def test_noexec_and_nostamp_are_set_by_any_value_with_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = make_build(tmp_path, {"meta-test/recipes/a/a.bb":
                                  'do_fetch[noexec] = "1"\ndo_fetch[noexec] = "0"\n'
                                  'do_compile[noexec] = "1"\nunset do_compile[noexec]\n'
                                  'do_build[nostamp] = "false"\n'})
    c = cooker(build)
    (info,) = c.infos.values()
    assert info.tasks["do_fetch"].flags["noexec"] == "1"
    assert "noexec" not in info.tasks["do_compile"].flags
    assert info.tasks["do_build"].flags["nostamp"] == "1"
    err = capsys.readouterr().err
    assert 'WARNING: a: do_fetch[noexec] = "0" sets the flag' in err
    assert 'do_build[nostamp] = "false" sets the flag' in err
