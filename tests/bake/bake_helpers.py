"""Helpers for the engine tests: parse snippets, and build test projects with real kas."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bake.data import DataStore
from bake.parse import parse_text
from bake.recipes import finalize
from bake.statements import Context, run_statement

REPO = Path(__file__).resolve().parents[2]
PROJECTS = Path(__file__).parent / "projects"
KAS = REPO / ".venv" / "bin" / "kas"


def parse(text: str, name: str = "/virtual/recipe.bb", d: DataStore | None = None,
          final: bool = False) -> DataStore:
    """Evaluate metadata `text` as if it were the file `name`; optionally finalise it."""
    d = d if d is not None else DataStore()
    ctx = Context()
    d.setVar("FILE", name)
    for stmt in parse_text(text, name):
        run_statement(stmt, d, ctx)
    if final:
        finalize(d, ctx, name)
    return d


def copy_project(name: str, dest: Path) -> Path:
    """A private copy of test project `name` whose kas file points at this repository."""
    project = dest / name
    shutil.copytree(PROJECTS / name, project)
    kas_file = project / "kas.yml"
    kas_file.write_text(kas_file.read_text().replace("@HERALD_ROOT@", str(REPO)))
    return project


def kas(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real `kas` in `project` (its output, stdout and stderr, in .stdout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BB", "KAS"))}
    return subprocess.run([str(KAS), *args], cwd=project, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                          timeout=300)


def bitbake(builddir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the engine directly in a build directory kas has set up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BB", "KAS"))}
    env["PATH"] = f"{REPO / 'bake' / 'bin'}:{env.get('PATH', '')}"
    return subprocess.run([sys.executable, "-m", "bake", *args], cwd=builddir, env=env,
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False, timeout=300)
