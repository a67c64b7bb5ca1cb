"""System > Logs > View the system log (and systemlog.cgi, the server
report): the lines of Herald's system log file and the journal's other
lines (the kernel, chrony, sshd, systemd, RAUC...) in time order, newest
last, all in the file's line format. herald-system reads it: it may read the
journal (group systemd-journal), the web admin may not.

Both sources are bounded: the file by rotation (its newest two parts, as
before), the journal by its JOURNAL_LINES newest lines, and by the file's
oldest line when older parts of the file were rotated away. Where one source
was cut, the log starts where the other's lines do too, so that the top of
the view is not one source alone."""

from __future__ import annotations

import datetime
import heapq
import logging
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from herald.environment import Environment
from herald.system import logs
from herald.system.log_sources import journal_entry
from herald.system.syslog_message import LINE, system_log_line, written

log = logging.getLogger(__name__)

JOURNAL_LINES = 5000
JOURNAL_SECONDS = 20.0
# What the lines need of each record (journalctl adds the time and cursor).
FIELDS = ("MESSAGE", "PRIORITY", "SYSLOG_FACILITY", "SYSLOG_IDENTIFIER", "SYSLOG_PID", "_PID",
          "_COMM", "_HOSTNAME", "_TRANSPORT")
OLDEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


class JournalError(Exception):
    """journalctl (or coredumpctl) did not run or refused; the message says why."""


@dataclass(frozen=True)
class Timed:
    when: datetime.datetime
    line: str


def read(environment: Environment, text: str = "") -> str:
    """The system log (only the lines containing `text`, if given); without a
    journalctl in this environment, the file's lines alone; when journalctl
    fails, the file's lines after a first line that says why."""
    timed_file = list(_file_times(logs.lines(environment, logs.SYSTEM)))
    file_cut = (environment.logs_dir / f"{logs.SYSTEM}.2").exists()
    starts = [timed_file[0].when] if file_cut and timed_file else []
    journal: list[Timed] = []
    if environment.journalctl:
        try:
            journal, journal_cut = read_journal(environment.journalctl, min(starts, default=None))
        except JournalError as exc:
            log.error("the system log is shown without the journal: %s", exc)
            return (logs.without_journal(str(exc))
                    + logs.matching([t.line for t in timed_file], text))
        starts += [journal[0].when] if journal_cut and journal else []
    start = max(starts, default=OLDEST)
    merged = heapq.merge(timed_file, journal, key=lambda timed: timed.when)
    return logs.matching([timed.line for timed in merged if timed.when >= start], text)


def read_journal(journalctl: Sequence[str], since: datetime.datetime | None = None,
                 most: int = JOURNAL_LINES) -> tuple[list[Timed], bool]:
    """The journal's newest `most` records (from `since`), but for the system
    log file's own lines, oldest first; and whether there may be older ones."""
    command = [*journalctl, "--output=json", f"--output-fields={','.join(FIELDS)}",
               f"--lines={most}", "--no-pager", "--quiet"]
    if since is not None:
        command.append(f"--since=@{int(since.timestamp())}")
    records = journal_output(command, JOURNAL_SECONDS).splitlines()
    entries = (journal_entry(raw) for raw in records)
    return [Timed(entry.when, system_log_line(entry)) for entry in entries if entry], \
        len(records) >= most


def journal_output(command: Sequence[str], seconds: float) -> bytes:
    """What a command that reads the journal (journalctl, coredumpctl) prints;
    JournalError with its complaint when it fails."""
    name = Path(command[0]).name
    try:
        done = subprocess.run(command, capture_output=True, timeout=seconds, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JournalError(f"{name} did not run: {exc}") from None
    if done.returncode != 0:
        raise JournalError(done.stderr.decode(errors="replace").strip() or
                           f"{name} exited with {done.returncode}")
    return done.stdout


def _file_times(lines: Iterable[str]) -> Iterator[Timed]:
    """Each line with the time it was written; a line without one (a traceback
    printed by hand) keeps the time of the line before it."""
    when = OLDEST
    for line in lines:
        found = LINE.fullmatch(line)
        when = (written(found["stamp"]) if found else None) or when
        yield Timed(when, line)
