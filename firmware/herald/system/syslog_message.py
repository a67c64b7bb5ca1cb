"""One entry of the system log as a syslog message: parsed from a line Herald
writes (logs.py's format) or taken from a journal entry, and written in the
format a remote server asks for (RFC 3164, RFC 5424, or Axis: the system
log's own line after the priority)."""

from __future__ import annotations

import datetime
import re
import socket
from dataclasses import dataclass

from herald.system import contract

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
    try:
        when = datetime.datetime.strptime(found["stamp"], "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        when = now
    return Entry(when, found["host"], found["app"], found["pid"], DAEMON,
                 LEVELS.get(found["level"], 5), found["message"], line)


def render(entry: Entry, syslog_format: str) -> bytes:
    """The message without framing (the transport adds it)."""
    pri = f"<{entry.facility * 8 + entry.severity}>"
    if syslog_format == contract.FORMAT_RFC5424:
        stamp = entry.when.isoformat(timespec="microseconds")
        text = (f"{pri}1 {stamp} {entry.host or NIL} {entry.app[:48] or NIL} "
                f"{entry.pid or NIL} - - {entry.message}")
    elif syslog_format == contract.FORMAT_RFC3164:
        stamp = f"{entry.when:%b} {entry.when.day:2d} {entry.when:%H:%M:%S}"
        tag = entry.app[:32] + (f"[{entry.pid}]" if entry.pid != NIL else "")
        text = f"{pri}{stamp} {entry.host} {tag}: {entry.message}"
    else:
        text = pri + (entry.line or f"{entry.when:%Y-%m-%dT%H:%M:%S%z} {entry.host} "
                                    f"{entry.app}[{entry.pid}]: {entry.message}")
    return text.encode("utf-8", "replace")
