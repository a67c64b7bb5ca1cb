"""The system log shows the recent part: the journal's newest JOURNAL_LINES
lines, and no older journal lines than the file still has once its older
parts were rotated away; where either was cut, the log starts where both
have lines, rather than with one source alone. Real files and journalctl on
a journal of the test's records."""

from __future__ import annotations

import datetime
from pathlib import Path

from herald.environment import from_variables
from herald.system import logs, system_log
from tests.journal import journalctl, record, write_journal

NOW = datetime.datetime.now().astimezone().replace(microsecond=0)


def herald_line(when: datetime.datetime, text: str) -> str:
    return f"{when:{logs.STAMP}} speaker herald-core[7]: info {text}"


def service(when: datetime.datetime, text: str) -> dict[str, str]:
    return record(when, text, _TRANSPORT="syslog", PRIORITY="6", SYSLOG_IDENTIFIER="sshd",
                  SYSLOG_PID="250")


def system_log_of(tmp_path: Path, file_lines: list[str], journal: list[dict[str, str]],
                  rotated_away: bool = False) -> list[str]:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / logs.SYSTEM).write_text("".join(line + "\n" for line in file_lines))
    if rotated_away:  # an older part than the two shown
        (tmp_path / "logs" / f"{logs.SYSTEM}.2").write_text(herald_line(NOW, "older") + "\n")
    write_journal(tmp_path / "journal", journal)
    environment = from_variables({"HERALD_DATA_DIR": str(tmp_path),
                                  "HERALD_JOURNALCTL": journalctl(tmp_path / "journal")})
    return system_log.read(environment).splitlines()


def test_journal_lines_older_than_the_files_kept_part_are_not_shown(tmp_path):
    hour = datetime.timedelta(hours=1)
    shown = system_log_of(tmp_path, [herald_line(NOW - hour, "kept"), herald_line(NOW, "last")],
                          [service(NOW - 2 * hour, "before the file"),
                           service(NOW - hour / 2, "between")], rotated_away=True)
    assert [line.split(": ", 1)[1] for line in shown] == [
        "info kept", "info between", "info last"]


def test_a_long_journal_shows_its_newest_lines_and_the_file_from_there(tmp_path):
    most = system_log.JOURNAL_LINES
    journal = [service(NOW - datetime.timedelta(seconds=most + 10 - n), f"line {n}")
               for n in range(most + 10)]
    shown = system_log_of(tmp_path, [herald_line(NOW - datetime.timedelta(days=1), "yesterday"),
                                     herald_line(NOW, "now")], journal)
    assert len(shown) == most + 1
    assert shown[0].endswith("sshd[250]: info line 10") and shown[-1].endswith("info now")
