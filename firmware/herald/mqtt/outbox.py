"""The QoS 1 and 2 messages the broker has not acknowledged yet, in SQLite:
what is published while the broker is away waits here, and a restart of the
client (or of the device) loses none of it. Oldest first, at most `limit`:
when full, the oldest gives way to the newest."""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Queued:
    id: int
    topic: str
    payload: bytes
    qos: int
    retain: bool


class Outbox:
    def __init__(self, path: Path, limit: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.limit = limit
        self._lock = threading.Lock()  # the bus's thread adds, paho's removes
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY "
                         "AUTOINCREMENT, topic TEXT, payload BLOB, qos INTEGER, retain INTEGER)")

    def put(self, topic: str, payload: bytes, qos: int, retain: bool) -> Queued:
        with self._lock:
            row = self._db.execute(
                "INSERT INTO outbox (topic, payload, qos, retain) VALUES (?, ?, ?, ?)",
                (topic, payload, qos, int(retain))).lastrowid
            over = self._count() - self.limit
            if over > 0:
                self._db.execute("DELETE FROM outbox WHERE id IN "
                                 "(SELECT id FROM outbox ORDER BY id LIMIT ?)", (over,))
                log.warning("MQTT: the queue holds %d messages at most: %d oldest dropped",
                            self.limit, over)
        return Queued(int(row or 0), topic, payload, qos, retain)

    def remove(self, message_id: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE id = ?", (message_id,))

    def waiting(self) -> list[Queued]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, topic, payload, qos, retain FROM outbox ORDER BY id").fetchall()
        return [Queued(i, t, bytes(p), q, bool(r)) for i, t, p, q, r in rows]

    def count(self) -> int:
        with self._lock:
            return self._count()

    def _count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        self._db.close()
