"""The engine on Herald's real metadata: kas.yml, meta-herald and meta-herald-bsp."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from bake_helpers import KAS, REPO


def kas_shell(build_dir: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BB", "KAS"))}
    env["KAS_BUILD_DIR"] = str(build_dir)
    return subprocess.run([str(KAS), "shell", "kas.yml", "-c", command], cwd=REPO, env=env,
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False, timeout=300)


def test_bitbake_e_and_the_task_graph_of_the_image(tmp_path: Path) -> None:
    build = tmp_path / "build"
    result = kas_shell(build, "bitbake -e herald-image && bitbake -g herald-image")
    assert result.returncode == 0, result.stdout
    env = dict(re.findall(r'^(?:export )?([A-Za-z0-9_]+)="(.*)"$', result.stdout, re.M))
    assert env["PN"] == "herald-image"
    assert env["MACHINE"] == "qemux86-64"
    assert env["DISTRO"] == "herald"
    assert "${" not in env["WORKDIR"]
    assert re.search(r"^# \$IMAGE_INSTALL \[\d+ operations?\]", result.stdout, re.M)
    # No line of a function or of a value's history looks like a variable of its own.
    assert not re.search(r"^(NAME|PRETTY_NAME)=", result.stdout, re.M)
    # Every package the image installs is built before it.
    buildlist = (build / "pn-buildlist").read_text().split()
    assert set(env["IMAGE_INSTALL"].split()) <= set(buildlist)
    assert '"herald-image.do_build"' in (build / "task-depends.dot").read_text()


def test_every_recipe_takes_pn_pv_and_pr_from_the_layers_bitbake_conf(tmp_path: Path) -> None:
    recipes = sorted(p.stem for p in (REPO / "layers").glob("*/recipes-*/*/*.bb"))
    result = kas_shell(tmp_path / "build",
                       "; ".join(f"echo == {r}; bitbake -e {r}" for r in recipes))
    assert result.returncode == 0, result.stdout
    outputs = dict(re.findall(r"^== (\S+)\n(.*?)(?=^== |\Z)", result.stdout, re.M | re.S))
    assert sorted(outputs) == recipes
    for recipe, out in outputs.items():
        for var, value in (("PN", recipe), ("PV", "1.0"), ("PR", "r0")):
            set_in_conf = (rf'^# \${var} .*\n#   = \S+/meta-herald/conf/bitbake\.conf:\d+\n'
                           r'#     "\$\{@bb\.parse\.vars_from_file\(.*\n(#.*\n)*')
            assert re.search(rf'{set_in_conf}{var}="{value}"$', out, re.M), (recipe, var)
