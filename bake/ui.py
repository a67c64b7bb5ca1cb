"""Console output in the manner of BitBake's knotty UI.

On a terminal: a parse progress bar, then a footer with a progress bar and the
running tasks that is redrawn as tasks start and end. Otherwise (kas without a
terminal, CI, tests): plain lines, one per event. Either way the build ends
with the "Tasks Summary" line and the count of warnings and errors.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bake.cooker import ParseStats

BAR_WIDTH = 40


class UI:
    """Where everything the user sees goes."""

    def __init__(self, out: TextIO | None = None, quiet: int = 0, verbose: bool = False,
                 debug: int = 0, tty: bool | None = None):
        self.out = out or sys.stdout
        self.quiet = quiet
        self.verbose = verbose
        self.debug_level = debug
        self.tty = self.out.isatty() if tty is None else tty
        self.warnings = 0
        self.errors = 0
        self._footer = 0
        self._running: dict[str, tuple[str, float, int]] = {}
        self._progress = (0, 0)
        self._parse_start = 0.0
        self._midline = False
        # While a recipe is parsed, its messages name it (set by the cooker).
        self.context: str | None = None

    # ----- low level ------------------------------------------------------------------

    def _clear_footer(self) -> None:
        if self._footer:
            self.out.write(f"\x1b[{self._footer}A\x1b[J")
            self._footer = 0

    def _draw_footer(self) -> None:
        if not self.tty or not self._running:
            return
        done, total = self._progress
        pct = int(100 * done / total) if total else 0
        filled = BAR_WIDTH * done // total if total else 0
        lines = [f"Currently {len(self._running):2d} running tasks ({done} of {total})  "
                 f"{pct:3d}% |{'#' * filled}{' ' * (BAR_WIDTH - filled)}|"]
        now = time.monotonic()
        for i, (label, start, pid) in enumerate(self._running.values()):
            lines.append(f"{i}: {label} - {int(now - start)}s (pid {pid})")
        self.out.write("\n".join(lines) + "\n")
        self._footer = len(lines)
        self.out.flush()

    def write(self, text: str) -> None:
        """Print a line above the footer."""
        self._clear_footer()
        if self._midline:
            self.out.write("\n")
            self._midline = False
        # While a recipe is parsed, its messages name it (set by the cooker).
        self.context: str | None = None
        self.out.write(text + "\n")
        self._draw_footer()
        self.out.flush()

    def refresh(self) -> None:
        """Redraw the footer (elapsed times) on a terminal."""
        if self.tty and self._running:
            self._clear_footer()
            self._draw_footer()

    # ----- messages -------------------------------------------------------------------

    def note(self, msg: str) -> None:
        """An informational line (hidden with -q)."""
        if not self.quiet:
            self.write(f"NOTE: {msg}")

    def task_note(self, msg: str) -> None:
        """A per-task progress line: on a terminal the footer shows this instead."""
        if not self.tty or self.verbose:
            self.note(msg)

    def plain(self, msg: str) -> None:
        """A line without a prefix (hidden with -q)."""
        if not self.quiet:
            self.write(msg)

    def warn(self, msg: str) -> None:
        """A warning, counted for the summary."""
        self.warnings += 1
        self.write(f"WARNING: {msg}")

    def error(self, msg: str) -> None:
        """An error, counted for the summary (the exit code becomes non-zero)."""
        self.errors += 1
        self.write(f"ERROR: {msg}")

    def debug(self, level: int, msg: str) -> None:
        """A debug line, shown from -D level `level` on."""
        if self.debug_level >= level:
            self.write(f"DEBUG: {msg}")

    def message(self, level: str, msg: str) -> None:
        """A message from metadata code (bb.warn and friends), prefixed by `context`."""
        if self.context:
            msg = f"{self.context}: {msg}"
        {"WARNING": self.warn, "ERROR": self.error, "NOTE": self.note,
         "DEBUG": lambda m: self.debug(1, m)}.get(level, self.plain)(msg)

    # ----- parsing --------------------------------------------------------------------

    def parse_started(self, total: int) -> None:
        """Recipe parsing begins."""
        self._parse_start = time.monotonic()
        if not self.tty and not self.quiet:
            self.out.write("Parsing recipes...")
            self.out.flush()
            self._midline = True

    def parse_progress(self, current: int, total: int) -> None:
        """One more recipe parsed."""
        if self.tty and not self.quiet and total:
            filled = BAR_WIDTH * current // total
            elapsed = int(time.monotonic() - self._parse_start)
            self.out.write(f"\rParsing recipes: {100 * current // total:3d}% "
                           f"|{'#' * filled}{' ' * (BAR_WIDTH - filled)}| "
                           f"Time: {elapsed // 60}:{elapsed % 60:02d}")
            self.out.flush()

    def parse_finished(self, s: ParseStats) -> None:
        """Parsing is over: print the statistics line."""
        if self.quiet:
            return
        self.out.write("\n" if self.tty else "done.\n")
        self._midline = False
        # While a recipe is parsed, its messages name it (set by the cooker).
        self.context: str | None = None
        self.write(f"Parsing of {s.total} .bb files complete ({s.cached} cached, "
                   f"{s.parsed} parsed). {s.total - s.skipped} targets, "
                   f"{s.skipped} skipped, {s.masked} masked, 0 errors.")

    # ----- tasks ----------------------------------------------------------------------

    def progress(self, done: int, total: int) -> None:
        """Tasks finished so far out of all tasks to run."""
        self._progress = (done, total)

    def task_started(self, key: str, label: str, pid: int) -> None:
        """A task is running (shown in the footer on a terminal)."""
        self._running[key] = (label, time.monotonic(), pid)
        self.refresh()

    def task_ended(self, key: str) -> None:
        """A task is no longer running."""
        self._running.pop(key, None)
        self.refresh()

    def summary(self) -> None:
        """The closing line with the number of warnings and errors."""
        self._clear_footer()
        if self.errors:
            word = "ERROR message" if self.errors == 1 else "ERROR messages"
            warn = f" and {self.warnings} WARNING message{'s' if self.warnings != 1 else ''}" \
                if self.warnings else ""
            verb = "was" if self.errors == 1 and not self.warnings else "were"
            self.out.write(f"\nSummary: There {verb} {self.errors} {word}{warn}, "
                           "returning a non-zero exit code.\n")
        elif self.warnings:
            word = "WARNING message" if self.warnings == 1 else "WARNING messages"
            verb = "was" if self.warnings == 1 else "were"
            self.out.write(f"\nSummary: There {verb} {self.warnings} {word}.\n")
        self.out.flush()
