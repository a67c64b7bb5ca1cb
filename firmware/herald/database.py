"""The device's SQLite database as the firmware's stores use it: connections
that wait for each other rather than fail, write-ahead logging, every commit
on disk before it returns (a power cut keeps it or not, never half), and
write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def connect(database: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(database, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All of the block's changes or, on any error, none."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def transaction(database: Path, *schema: str) -> Iterator[sqlite3.Connection]:
    """A write transaction on a connection of its own, closed after it; rows read
    by column name; `schema` (CREATE ... IF NOT EXISTS statements) run first."""
    conn = connect(database)
    try:
        conn.row_factory = sqlite3.Row
        with write_transaction(conn):
            for statement in schema:
                conn.execute(statement)
            yield conn
    finally:
        conn.close()


class DataVersion:
    """A number that changes whenever anyone commits to the database: how a
    service notices a change whose announcement on the bus was lost, and how
    a cache of what the database holds knows it is still true."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def current(self) -> int:
        with self._lock:
            if self._conn is None:  # one connection that never writes: the count is per connection
                self._conn = sqlite3.connect(self.database, check_same_thread=False)
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
