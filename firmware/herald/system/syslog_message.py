"""One entry of the system log as a syslog message: parsed from a line Herald
writes (logs.py's format) or taken from a journal entry, and written in the
format a remote server asks for (RFC 3164, RFC 5424, or Axis: the system
log's own line after the priority, as System > Logs shows it)."""

from __future__ import annotations

import datetime
import re
import socket
from dataclasses import dataclass

from herald.system import contract
from herald.system.logs import STAMP

USER, DAEMON = 1, 3  # syslog facilities
# Python's level names, as logs.py writes them, to syslog severities.
LEVELS = {"debug": 7, "info": 6, "warning": 4, "error": 3, "critical": 2}
LINE = re.compile(r"(?P<stamp>\S+) (?P<host>\S+) (?P<app>[^\s\[]+)\[(?P<pid>\d+)\]: "
                  r"(?P<level>[a-z]+) (?P<message>.*)")
NIL = "-"


@dataclass(frozen=True)
class Entry:
    when: datetime.datetime  # aware
    host: str
    app: str
    pid: str
    facility: int
    severity: int
    message: str
    line: str = ""  # as the system log holds it (Axis format)


def from_line(line: str) -> Entry:
    """A line of the system log; one Herald did not write (a traceback printed
    by hand) is sent whole, as a notice from herald."""
    found = LINE.fullmatch(line)
    now = datetime.datetime.now().astimezone()
    if not found:
        return Entry(now, socket.gethostname(), "herald", NIL, DAEMON, 5, line, line)
    return Entry(written(found["stamp"]) or now, found["host"], found["app"], found["pid"],
                 DAEMON, LEVELS.get(found["level"], 5), found["message"], line)


def written(stamp: str) -> datetime.datetime | None:
    """The time a system log line's stamp says; None for one that is not a time."""
    try:
        return datetime.datetime.strptime(stamp, STAMP)
    except ValueError:
        return None


def system_log_line(entry: Entry) -> str:
    """The entry as the system log shows it: the line Herald wrote, or one in
    its format (a journal entry: its severity's name, no [pid] when it has none)."""
    if entry.line:
        return entry.line
    return (f"{entry.when:{STAMP}} {entry.host or NIL} {_tag(entry.app, entry.pid)}: "
            f"{contract.SEVERITIES[entry.severity]} {entry.message}")


def _tag(app: str, pid: str) -> str:
    return app + (f"[{pid}]" if pid != NIL else "")


def render(entry: Entry, syslog_format: str) -> bytes:
    """The message without framing (the transport adds it)."""
    pri = f"<{entry.facility * 8 + entry.severity}>"
    if syslog_format == contract.FORMAT_RFC5424:
        stamp = entry.when.isoformat(timespec="microseconds")
        text = (f"{pri}1 {stamp} {entry.host or NIL} {entry.app[:48] or NIL} "
                f"{entry.pid or NIL} - - {entry.message}")
    elif syslog_format == contract.FORMAT_RFC3164:
        stamp = f"{entry.when:%b} {entry.when.day:2d} {entry.when:%H:%M:%S}"
        text = f"{pri}{stamp} {entry.host} {_tag(entry.app[:32], entry.pid)}: {entry.message}"
    else:
        text = pri + system_log_line(entry)
    return text.encode("utf-8", "replace")
