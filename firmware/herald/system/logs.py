"""The device's system log and access log, as files on the data partition.

Every Herald process appends to logs/system.log (and writes to stderr for
journald); failed attempts to access the device go to logs/access.log. Files
are opened in append mode, so lines from several processes never interleave
within a line; `rotate` keeps each file small, and the handlers reopen a
rotated file by themselves.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import socket
import sys
import time

from herald.environment import Environment

SYSTEM = "system.log"
ACCESS = "access.log"
ACCESS_LOGGER = "herald.access"
MAX_BYTES = 512 * 1024
# Older files kept of each log (<name>.1 the newest): 4 MB of history each, so
# a burst of failed requests cannot push yesterday's evidence out.
KEEP = 8
STAMP = "%Y-%m-%dT%H:%M:%S%z"  # each line's time


class _Formatter(logging.Formatter):
    """Syslog-like lines: time, host, process[pid]: level message."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.prefix = f"{socket.gethostname()} {process}[{os.getpid()}]:"

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime(STAMP, time.localtime(record.created))
        message = record.getMessage().replace("\n", " | ")
        if record.exc_info:
            message += " | " + self.formatException(record.exc_info).replace("\n", " | ")
        return f"{stamp} {self.prefix} {record.levelname.lower()} {message}"


def setup(process: str, env: Environment, level: int = logging.INFO) -> None:
    """Send this process's log to stderr and the system log; failures to access
    the device (the "herald.access" logger) to the access log only."""
    env.logs_dir.mkdir(parents=True, exist_ok=True)
    formatter = _Formatter(process)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in (logging.StreamHandler(sys.stderr),
                    logging.handlers.WatchedFileHandler(env.logs_dir / SYSTEM)):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    access = logging.getLogger(ACCESS_LOGGER)
    access.propagate = False
    handler = logging.handlers.WatchedFileHandler(env.logs_dir / ACCESS)
    handler.setFormatter(formatter)
    access.addHandler(handler)


def read(env: Environment, name: str, text: str = "") -> str:
    """The log `name` (older part first), only lines containing `text` if given."""
    return matching(lines(env, name), text)


def lines(env: Environment, name: str) -> list[str]:
    """The lines of the log `name` kept in its file and the one rotated last, older first."""
    found: list[str] = []
    for path in (env.logs_dir / f"{name}.1", env.logs_dir / name):
        try:
            found.extend(path.read_text(errors="replace").splitlines())
        except FileNotFoundError:
            continue
    return found


def matching(lines: list[str], text: str) -> str:
    """The lines containing `text` (any case; all when it is empty), each ended."""
    if text:
        lines = [line for line in lines if text.lower() in line.lower()]
    return "".join(line + "\n" for line in lines)


def rotate(env: Environment, max_bytes: int = MAX_BYTES) -> list[str]:
    """Move a log past `max_bytes` to <name>.1, the older ones up a number,
    the oldest beyond `KEEP` away."""
    rotated = []
    for name in (SYSTEM, ACCESS):
        path = env.logs_dir / name
        try:
            if path.stat().st_size <= max_bytes:
                continue
        except FileNotFoundError:
            continue
        for number in range(KEEP - 1, 0, -1):
            older = path.with_name(f"{name}.{number}")
            if older.exists():
                older.replace(path.with_name(f"{name}.{number + 1}"))
        path.replace(path.with_name(f"{name}.1"))
        rotated.append(name)
    return rotated


def without_journal(why: str) -> str:
    """The first line of a system log shown without the journal's lines."""
    return f"(The kernel's and the system services' lines are missing: {why})\n"
