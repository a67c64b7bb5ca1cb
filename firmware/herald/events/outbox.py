"""The outbox: notifications that must not be lost. Each is on disk (SQLite,
WAL, synced) before a delivery is tried, and stays there until its recipient
has it or it expires, so a restart, a power cut or a recipient that is down
costs time, not notifications. A periodic task calls deliver_due(); the
waits between tries grow, up to an hour.

A notification names its recipient by id and is sent with the recipient as
configured when it is tried: a password put right, or a server moved, is
used by the notifications already waiting, and a deleted recipient's are
dropped."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from herald.database import transaction
from herald.events.recipients import (
    DEFAULT_TIMEOUT,
    Attachment,
    DeliveryFailed,
    Notification,
    Recipient,
)

log = logging.getLogger(__name__)

# How long a notification is tried. A day outlasts a mail server's
# maintenance night or a weekend-long network change less often than it
# bounds what a dead recipient piles up on the data partition; and an
# event's notification a day late is news of a past that has usually been
# dealt with on the spot.
DEFAULT_LIFETIME = 24 * 3600.0
FIRST_WAIT = 30.0  # after the first failure; doubled after each one after it
LONGEST_WAIT = 3600.0
# How long a pass holds a notification it is delivering, so that a second
# pass at the same time leaves it alone; should the process die mid-delivery,
# it is tried again after this.
CLAIM = 600.0

TABLE = """
CREATE TABLE IF NOT EXISTS herald_event_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient INTEGER NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    file_name TEXT,
    file_data BLOB,
    created REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL,
    expires REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT ''
)
"""
INDEX = "CREATE INDEX IF NOT EXISTS herald_event_outbox_next_try ON herald_event_outbox (next_try)"
COLUMNS = ("id, recipient, subject, message, file_name, file_data, created, attempts, "
           "next_try, expires, last_error")
DUE = "next_try <= :now AND expires > :now"


@dataclass(frozen=True)
class Pending:
    """A notification waiting in the outbox. Times are seconds since the epoch."""

    id: int
    recipient: int
    notification: Notification
    created: float
    attempts: int  # failed tries so far
    next_try: float
    expires: float
    last_error: str  # why the last try failed ("" before the first)


class Outbox:
    """`recipients` looks a recipient up by its id (None: there is none);
    `timeout` is each delivery's (DEFAULT_TIMEOUT)."""

    def __init__(self, database: Path, recipients: Callable[[int], Recipient | None],
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.database, self.recipients, self.timeout = database, recipients, timeout
        with self._transaction() as conn:
            conn.execute(TABLE)
            conn.execute(INDEX)

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.database)

    def put(self, recipient: int, notification: Notification, now: float,
            lifetime: float = DEFAULT_LIFETIME) -> int:
        """Keep `notification` for `recipient` (its id); on disk when this
        returns, due at once, dropped if not delivered within `lifetime` s."""
        if lifetime <= 0:
            raise ValueError(f"lifetime: must be more than 0 s, not {lifetime}")
        file = notification.attachment
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO herald_event_outbox (recipient, subject, message, file_name, "
                "file_data, created, next_try, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (recipient, notification.subject, notification.message,
                 file.name if file else None, file.data if file else None,
                 now, now, now + lifetime))
            return int(cursor.lastrowid or 0)

    def due(self, now: float) -> list[Pending]:
        """The notifications to try now, oldest first (expired ones are not)."""
        with self._transaction() as conn:
            rows = conn.execute(f"SELECT {COLUMNS} FROM herald_event_outbox WHERE {DUE} "
                                f"ORDER BY id", {"now": now}).fetchall()
        return [_pending(row) for row in rows]

    def delivered(self, notification: int) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM herald_event_outbox WHERE id = ?", (notification,))
        log.info("notification %d delivered", notification)

    def failed(self, notification: int, reason: str, now: float) -> None:
        """Note why a try failed; the next is due after a wait twice the last."""
        with self._transaction() as conn:
            row = conn.execute("SELECT recipient, attempts FROM herald_event_outbox WHERE id = ?",
                               (notification,)).fetchone()
            if row is None:
                return
            attempts = row["attempts"] + 1
            wait = min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)
            conn.execute("UPDATE herald_event_outbox SET attempts = ?, next_try = ?, "
                         "last_error = ? WHERE id = ?",
                         (attempts, now + wait, reason, notification))
        log.warning("notification %d to recipient %d not delivered (try %d; next in %s): %s",
                    notification, row["recipient"], attempts, _duration(wait), reason)

    def deliver_due(self, now: float) -> int:
        """One pass: drop the expired, try each due notification once (a
        recipient that fails is not tried again in the same pass: its other
        notifications fail with its reason). Returns how many were delivered."""
        self._drop_expired(now)
        with self._transaction() as conn:
            due = [row["id"] for row in conn.execute(
                f"SELECT id FROM herald_event_outbox WHERE {DUE} ORDER BY id", {"now": now})]
        delivered = 0
        down: dict[int, str] = {}  # recipients that failed in this pass, and why
        for notification in due:
            pending = self._claim(notification, now)
            if pending is None:
                continue  # another pass has it, or had it
            if pending.recipient in down:
                self.failed(pending.id, down[pending.recipient], now)
                continue
            try:
                recipient = self.recipients(pending.recipient)
                if recipient is None:
                    self._drop(pending.id, f"recipient {pending.recipient} no longer exists")
                    continue
                recipient.deliver(pending.notification, self.timeout)
            except DeliveryFailed as failure:
                down[pending.recipient] = str(failure)
                self.failed(pending.id, str(failure), now)
            except Exception as error:  # a fault of the firmware's, not the recipient's
                log.exception("notification %d: delivery failed on an error", pending.id)
                self.failed(pending.id, f"internal error: {type(error).__name__}", now)
            else:
                self.delivered(pending.id)
                delivered += 1
        return delivered

    def _claim(self, notification: int, now: float) -> Pending | None:
        """The notification, held for this pass (for CLAIM s), if it is still
        due; one at a time, so that a pass holds one file in memory, not all."""
        with self._transaction() as conn:
            if not conn.execute(f"UPDATE herald_event_outbox SET next_try = :claim "
                                f"WHERE id = :id AND {DUE}",
                                {"claim": now + CLAIM, "id": notification, "now": now}).rowcount:
                return None
            return _pending(conn.execute(f"SELECT {COLUMNS} FROM herald_event_outbox "
                                         f"WHERE id = ?", (notification,)).fetchone())

    def _drop_expired(self, now: float) -> None:
        with self._transaction() as conn:
            expired = conn.execute("SELECT id, recipient, created, attempts, expires, last_error "
                                   "FROM herald_event_outbox WHERE expires <= ?", (now,)).fetchall()
            conn.execute("DELETE FROM herald_event_outbox WHERE expires <= ?", (now,))
        for row in expired:
            attempts = row["attempts"]
            tries = (f"{attempts} {'try' if attempts == 1 else 'tries'}; last error: "
                     f"{row['last_error']}" if attempts else "never tried")
            log.warning("notification %d to recipient %d dropped: not delivered within %s (%s)",
                        row["id"], row["recipient"], _duration(row["expires"] - row["created"]),
                        tries)

    def _drop(self, notification: int, reason: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM herald_event_outbox WHERE id = ?", (notification,))
        log.warning("notification %d dropped: %s", notification, reason)


def _pending(row: sqlite3.Row) -> Pending:
    file = None if row["file_name"] is None else Attachment(row["file_name"], row["file_data"])
    return Pending(id=row["id"], recipient=row["recipient"],
                   notification=Notification(row["subject"], row["message"], file),
                   created=row["created"], attempts=row["attempts"], next_try=row["next_try"],
                   expires=row["expires"], last_error=row["last_error"])


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
