"""The bench scripts' output contract: one `name: value unit` line per figure,
and with --json one JSON object of the same figures and nothing else.

The scripts run as users run them, in subprocesses; only bake_parse.py is cheap
enough to measure for real here (the others boot QEMU, build images or load the
whole stack), the rest answer --help.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BENCH = REPO / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if p.name != "figures.py")
LINE = re.compile(r"([a-z][a-z0-9]*(?:_[a-z0-9]+)*): (-?\d+(?:\.\d+)?(?:e-\d+)?) (\S+)")
BAKE_FIGURES = [
    ("recipes", "count"), ("tasks_per_build", "count"), ("parse_cold", "s"),
    ("parse_cached", "s"), ("parse_cached_over_cold", "x"), ("first_full_build", "s"),
    ("noop_build", "s"), ("noop_build_over_cold_parse", "x"),
]


def run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a bench script; its stdout block-buffered as in a user's pipe."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, str(script), *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def plain_figures(stdout: str) -> list[tuple[str, float, str]]:
    """The figures of a plain run: every line of stdout must be one."""
    figures = []
    for line in stdout.splitlines():
        match = LINE.fullmatch(line)
        assert match, f"not a `name: value unit` line: {line!r}"
        figures.append((match[1], float(match[2]), match[3]))
    return figures


def test_bake_parse_json_has_the_figures_of_the_plain_lines() -> None:
    args = ("--recipes", "4", "--runs", "1")
    plain = run(BENCH / "bake_parse.py", *args)
    assert plain.returncode == 0, plain.stderr
    as_json = run(BENCH / "bake_parse.py", *args, "--json")
    assert as_json.returncode == 0, as_json.stderr

    lines = plain_figures(plain.stdout)
    assert [(name, unit) for name, _, unit in lines] == BAKE_FIGURES
    figures = json.loads(as_json.stdout)  # the whole of stdout is one object
    assert [(name, f["unit"]) for name, f in figures.items()] == BAKE_FIGURES
    assert all(set(f) == {"value", "unit"} for f in figures.values())
    assert all(type(f["value"]) in (int, float) for f in figures.values())
    assert figures["recipes"]["value"] == 4
    assert figures["tasks_per_build"]["value"] == 20


@pytest.mark.parametrize("bad", [["--recipes", "many"], ["--no-such-option"]])
def test_a_bad_argument_is_a_usage_error(bad: list[str]) -> None:
    done = run(BENCH / "bake_parse.py", *bad)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: bake_parse.py")
    assert done.stdout == ""


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_offers_json(script: str) -> None:
    done = run(BENCH / script, "--help")
    assert done.returncode == 0, done.stderr
    assert "--json" in done.stdout


MEASURING = """\
import subprocess
import sys

sys.path.insert(0, {bench!r})
from figures import arguments, figures, note

options = arguments(__doc__).parse_args()
with figures(options) as report:
    report.add("first_http_answer", 38.2417, "s")
    print("a stray print")
    subprocess.run(["echo", "a child process"], check=True)
    note("some context")
    report.add("tasks", 1500, "count")
    report.add("cached_over_cold", 2 / 3, "x")
    report.add("{last}", 1, "s")
"""


def script(tmp_path: Path, last: str) -> Path:
    path = tmp_path / "measuring.py"
    path.write_text(MEASURING.format(bench=str(BENCH), last=last))
    return path


def test_stdout_holds_only_the_figures(tmp_path: Path) -> None:
    plain = run(script(tmp_path, "idle_cpu"))
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout == ("first_http_answer: 38.2 s\ntasks: 1500 count\n"
                            "cached_over_cold: 0.667 x\nidle_cpu: 1 s\n")
    assert plain.stderr.split("\n")[:3] == ["a stray print", "a child process", "some context"]

    as_json = run(script(tmp_path, "idle_cpu"), "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == {
        "first_http_answer": {"value": 38.2, "unit": "s"},
        "tasks": {"value": 1500, "unit": "count"},
        "cached_over_cold": {"value": 0.667, "unit": "x"},
        "idle_cpu": {"value": 1, "unit": "s"},
    }


def test_a_failed_run_prints_no_json(tmp_path: Path) -> None:
    done = run(script(tmp_path, "Idle CPU"), "--json")  # not a figure name: the run fails
    assert done.returncode == 1
    assert "ValueError: figure name 'Idle CPU'" in done.stderr
    assert done.stdout == ""
