"""A journal of the test's own records, as the device's journald would keep
them: written by systemd-journal-remote from journal export format, read by
the real journalctl (HERALD_JOURNALCTL names `journalctl --directory=...`)."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest

JOURNAL_REMOTE = Path("/lib/systemd/systemd-journal-remote")
BOOT_ID = "0123456789abcdef0123456789abcdef"


def record(when: datetime.datetime, message: str, **fields: str) -> dict[str, str]:
    """One journal record at `when` (fields as journald names them)."""
    return {"__REALTIME_TIMESTAMP": str(int(when.timestamp() * 1_000_000)),
            "__MONOTONIC_TIMESTAMP": "1000000", "_BOOT_ID": BOOT_ID,
            "_HOSTNAME": "speaker", **fields, "MESSAGE": message}


def journalctl(directory: Path) -> str:
    """The journalctl command (HERALD_JOURNALCTL) that reads the journal in `directory`."""
    return f"journalctl --directory={directory}"


def write_journal(directory: Path, records: list[dict[str, str]]) -> None:
    """A journal file in `directory` holding `records`."""
    if not JOURNAL_REMOTE.exists() or not shutil.which("journalctl"):
        pytest.fail("systemd-journal-remote or journalctl missing: run scripts/setup")
    directory.mkdir(parents=True, exist_ok=True)
    export = "".join("".join(f"{name}={value}\n" for name, value in fields.items()) + "\n"
                     for fields in records)
    subprocess.run([str(JOURNAL_REMOTE), f"--output={directory / 'test.journal'}", "-"],
                   input=export.encode(), check=True, capture_output=True, timeout=30)
