"""The recordings' records: a table in the device's database, beside the
parameters, written in transactions that a power cut cannot tear. The audio
itself is in one WAV file per recording (herald.audio.recorder)."""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from herald.database import transaction
from herald.recordings.contract import RECORDING, STOPPED, STOPPING, STORAGES

SCHEMA = """
CREATE TABLE IF NOT EXISTS herald_recording (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    stopped REAL,
    status TEXT NOT NULL,
    continuous INTEGER NOT NULL,
    storage TEXT NOT NULL,
    source TEXT NOT NULL,
    seconds REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT ''
);
"""
# Where firmware before the recordings service kept the records (the web
# admin's database model); taken over once, then dropped.
LEGACY_TABLE = "recordings_recording"
SOURCE = "Microphone"
COLUMNS = "id, started, stopped, status, continuous, storage, source, seconds, message"


class Busy(Exception):
    """A recording runs already: one at a time."""


class RecordingStore:
    def __init__(self, database: Path, data_dir: Path) -> None:
        self.database, self.data_dir = database, data_dir

    def path(self, recording_id: int, storage: str) -> Path:
        if storage not in STORAGES:
            raise ValueError(f"no storage {storage!r}")
        return self.data_dir / "recordings" / f"recording-{recording_id}.wav"

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.database)

    def open(self) -> None:
        """Create the table; take the records of an older firmware over."""
        with self._transaction() as conn:
            conn.execute(SCHEMA)
            legacy = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (LEGACY_TABLE,)).fetchone()
            if legacy:
                for row in conn.execute(f"SELECT {COLUMNS} FROM {LEGACY_TABLE}").fetchall():
                    conn.execute(f"INSERT OR IGNORE INTO herald_recording ({COLUMNS}) "
                                 f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (row["id"], _epoch(row["started"]), _epoch(row["stopped"]),
                                  *tuple(row)[3:]))
                conn.execute(f"DROP TABLE {LEGACY_TABLE}")

    def all(self) -> list[sqlite3.Row]:
        with self._transaction() as conn:
            return conn.execute(f"SELECT {COLUMNS} FROM herald_recording "
                                f"ORDER BY started DESC, id DESC").fetchall()

    def get(self, recording_id: int) -> sqlite3.Row | None:
        with self._transaction() as conn:
            return conn.execute(f"SELECT {COLUMNS} FROM herald_recording WHERE id = ?",
                                (recording_id,)).fetchone()

    def running(self) -> list[sqlite3.Row]:
        with self._transaction() as conn:
            return conn.execute(f"SELECT {COLUMNS} FROM herald_recording WHERE status != ? "
                                f"ORDER BY id", (STOPPED,)).fetchall()

    def start(self, storage: str) -> int:
        """A new continuous recording; Busy if one runs (or is still stopping)."""
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM herald_recording WHERE status != ?",
                            (STOPPED,)).fetchone():
                raise Busy("A recording is already running: stop it first.")
            cursor = conn.execute(
                "INSERT INTO herald_recording (started, status, continuous, storage, source) "
                "VALUES (?, ?, 1, ?, ?)", (time.time(), RECORDING, storage, SOURCE))
            return int(cursor.lastrowid or 0)

    def stopping(self) -> list[int]:
        """Mark the running recordings as stopping; returns their ids."""
        with self._transaction() as conn:
            ids = [r["id"] for r in conn.execute(
                "SELECT id FROM herald_recording WHERE status = ?", (RECORDING,))]
            conn.execute("UPDATE herald_recording SET status = ? WHERE status = ?",
                         (STOPPING, RECORDING))
            return ids

    def stopped(self, recording_id: int, seconds: float) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE herald_recording SET status = ?, stopped = ?, seconds = ?, "
                         "message = '' WHERE id = ?",
                         (STOPPED, time.time(), seconds, recording_id))

    def note(self, recording_id: int, message: str = "", seconds: float | None = None) -> None:
        """Why a recording does not record just now ("" when it does again)."""
        with self._transaction() as conn:
            conn.execute("UPDATE herald_recording SET message = ?, "
                         "seconds = COALESCE(?, seconds) WHERE id = ?",
                         (message, seconds, recording_id))

    def delete(self, recording_id: int) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM herald_recording WHERE id = ?", (recording_id,))

    def forget_all(self) -> None:
        """Every record gone (a reset; the files go with the data directory)."""
        self.open()
        with self._transaction() as conn:
            conn.execute("DELETE FROM herald_recording")


def _epoch(value: object) -> float | None:
    """A time as the web admin's database held it (ISO text, UTC) in seconds."""
    if value is None or isinstance(value, int | float):
        return value
    moment = datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
