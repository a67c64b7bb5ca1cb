"""The one way bench scripts print what they measured.

The project's rule: a figure is one `name: value unit` line on stdout, printed
as soon as it is measured (a long run shows its progress); with --json, stdout
holds nothing but one JSON object of the same figures, printed at the end,
{"name": {"value": number, "unit": "..."}}, so runs can be compared by a
program instead of by reading text. Anything else a script says (progress,
context such as the image it used) goes to stderr with `note`.

A script builds its command line with `arguments` and measures inside `figures`:

    parser = arguments(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    with figures(parser.parse_args()) as report:
        report.add("parse_cold", seconds, "s")
        report.add("parse_cached_over_cold", cached / cold, "x")
"""

from __future__ import annotations

import argparse
import json
import math
import numbers
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from typing import TextIO

NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
UNIT = re.compile(r"\S{1,8}")
SIGNIFICANT = 3  # more digits than this are noise on a shared machine


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A parser whose --help shows the script's docstring (what it measures),
    with the --json option every bench script has."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true",
                        help="print only one JSON object of the figures, at the end")
    return parser


def note(*parts: object) -> None:
    """Say something that is not a figure (progress, context): on stderr, so
    stdout stays figures only."""
    print(*parts, file=sys.stderr, flush=True)


def rounded(value: float) -> int | float:
    """`value` to SIGNIFICANT significant digits, never fewer than its units;
    integers are kept as they are (counts, bytes)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"a figure is a number, not {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"a figure is a finite number, not {value}")
    if value == 0:
        return 0
    decimals = SIGNIFICANT - 1 - math.floor(math.log10(abs(value)))
    return round(value) if decimals <= 0 else round(value, decimals)


class Report:
    """The figures of one run, in the order they were measured."""

    def __init__(self, out: TextIO, as_json: bool) -> None:
        self.out = out
        self.as_json = as_json
        self.figures: dict[str, dict[str, int | float | str]] = {}

    def add(self, name: str, value: float, unit: str) -> int | float:
        """Record a figure (and print its line unless --json); returns the value
        as printed. Names are lowercase words joined by underscores; the unit is
        short (s, ms, MiB, %, x for a ratio, count)."""
        if not NAME.fullmatch(name):
            raise ValueError(f"figure name {name!r} is not lowercase words joined by _")
        if not UNIT.fullmatch(unit):
            raise ValueError(f"unit {unit!r} of {name} is not a short word")
        if name in self.figures:
            raise ValueError(f"figure {name} given twice")
        value = rounded(value)
        self.figures[name] = {"value": value, "unit": unit}
        if not self.as_json:
            print(f"{name}: {value} {unit}", file=self.out, flush=True)
        return value


@contextmanager
def figures(options: argparse.Namespace) -> Iterator[Report]:
    """A Report for the run; with --json, its JSON object on stdout once the run
    has ended well (a failed run prints none: partial figures are not a result).

    While the run lasts, sys.stdout and file descriptor 1 are stderr, so that
    nothing else (a print in a helper, a child process such as kas or QEMU) can
    land among the figures; the figures go to the real stdout.
    """
    sys.stdout.flush()
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        report = Report(out, options.json)
        with redirect_stdout(sys.stderr):
            yield report
        if options.json:
            json.dump(report.figures, out, indent=2)
            out.write("\n")
    finally:
        sys.stdout.flush()
        out.flush()
        os.dup2(out.fileno(), sys.stdout.fileno())
        out.close()
