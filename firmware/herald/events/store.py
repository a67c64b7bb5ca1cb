"""The rules, the schedules, the recipients and the action configurations
(VAPIX's: a named action rules can refer to), kept in the device's database
beside the parameters: a power cut leaves each change made whole or not at
all. A recipient's password is kept here as it must be sent; only this store
and the delivery read it."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

from herald.database import transaction
from herald.events import recipients as kinds
from herald.events.contract import (
    MAX_ACTIONS,
    MAX_NAME,
    MAX_RECIPIENTS,
    MAX_RULES,
    MAX_SCHEDULES,
)
from herald.events.recipients import Recipient
from herald.events.rules import ActionConfiguration, Rule, RuleError
from herald.events.schedule import DEFAULTS, Interval, Pulse, Schedule

log = logging.getLogger(__name__)
Kept = TypeVar("Kept")

SCHEMA = """CREATE TABLE IF NOT EXISTS herald_event_rule (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL
)"""
RECIPIENTS = """CREATE TABLE IF NOT EXISTS herald_event_recipient (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL
)"""
ACTIONS = """CREATE TABLE IF NOT EXISTS herald_event_action (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL
)"""
SCHEDULES = """CREATE TABLE IF NOT EXISTS herald_event_schedule (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    ical TEXT NOT NULL
)"""


def _make_room(conn: sqlite3.Connection, table: str, limit: int, what: str) -> None:
    """Refuse another row past the device's `limit` of `what`."""
    (count,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    if count >= limit:
        raise RuleError(f"the device holds at most {limit} {what}; remove one first")


class RuleStore:
    def __init__(self, database: Path) -> None:
        self.database = database

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.database, SCHEMA, SCHEDULES, RECIPIENTS, ACTIONS)

    # Rules, recipients and action configurations: a JSON body in a row of its own.

    def _bodies(self, table: str, read: Callable[[Any], Kept], what: str) -> dict[int, Kept]:
        with self._transaction() as conn:
            rows = conn.execute(f"SELECT id, body FROM {table} ORDER BY id").fetchall()
        found = {}
        for number, body in rows:
            try:
                found[number] = read(json.loads(body))
            except ValueError as exc:  # written by other firmware: leave it be
                log.warning("%s %d is not understood by this firmware and is ignored: %s",
                            what, number, exc)
        return found

    def _insert(self, table: str, body: dict[str, Any], limit: int, what: str) -> int:
        with self._transaction() as conn:
            _make_room(conn, table, limit, what)
            cursor = conn.execute(f"INSERT INTO {table} (body) VALUES (?)", (json.dumps(body),))
            return int(cursor.lastrowid or 0)

    def _delete(self, table: str, number: int, what: str) -> None:
        with self._transaction() as conn:
            if conn.execute(f"DELETE FROM {table} WHERE id = ?", (number,)).rowcount == 0:
                raise RuleError(f"there is no {what} {number}")

    def rules(self) -> dict[int, Rule]:
        return self._bodies("herald_event_rule", Rule.from_dict, "rule")

    def add(self, rule: Rule) -> int:
        return self._insert("herald_event_rule", rule.to_dict(), MAX_RULES, "rules")

    def update(self, rule_id: int, rule: Rule) -> None:
        with self._transaction() as conn:
            cursor = conn.execute("UPDATE herald_event_rule SET body = ? WHERE id = ?",
                                  (json.dumps(rule.to_dict()), rule_id))
            if cursor.rowcount == 0:
                raise RuleError(f"there is no rule {rule_id}")

    def remove(self, rule_id: int) -> None:
        self._delete("herald_event_rule", rule_id, "rule")

    def schedules(self) -> dict[str, tuple[str, Interval | Pulse]]:
        """Every schedule by its id: the ones AXIS devices ship, then the device's own."""
        found: dict[str, tuple[str, Interval | Pulse]] = {
            preset.id: (preset.name, Schedule.parse(preset.ical)) for preset in DEFAULTS}
        with self._transaction() as conn:
            rows = conn.execute("SELECT id, name, ical FROM herald_event_schedule").fetchall()
        for schedule_id, name, ical in rows:
            try:
                found[str(schedule_id)] = (name, Schedule.parse(ical))
            except ValueError as exc:  # written by other firmware: leave it be
                log.warning("schedule %s is not understood by this firmware: %s",
                            schedule_id, exc)
        return found

    def add_schedule(self, name: str, ical: str) -> str:
        if not name.strip() or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
            raise RuleError(f"name: 1 to {MAX_NAME} characters, no control characters")
        try:
            schedule = Schedule.parse(ical)
        except ValueError as exc:
            raise RuleError(f"schedule: {exc}") from None
        with self._transaction() as conn:
            _make_room(conn, "herald_event_schedule", MAX_SCHEDULES, "schedules of its own")
            cursor = conn.execute("INSERT INTO herald_event_schedule (name, ical) VALUES (?, ?)",
                                  (name.strip(), schedule.to_ical()))
            return str(cursor.lastrowid)

    def remove_schedule(self, schedule_id: str) -> None:
        if not schedule_id.isdigit():
            raise RuleError(f"the schedule {schedule_id!r:.80} cannot be removed")
        with self._transaction() as conn:
            if conn.execute("DELETE FROM herald_event_schedule WHERE id = ?",
                            (int(schedule_id),)).rowcount == 0:
                raise RuleError(f"there is no schedule {schedule_id}")

    def recipients(self) -> dict[int, Recipient]:
        return self._bodies("herald_event_recipient", kinds.from_dict, "recipient")

    def recipient(self, recipient_id: int) -> Recipient | None:
        return self.recipients().get(recipient_id)

    def add_recipient(self, recipient: Recipient) -> int:
        return self._insert("herald_event_recipient", recipient.to_dict(), MAX_RECIPIENTS,
                            "recipients")

    def remove_recipient(self, recipient_id: int) -> None:
        self._delete("herald_event_recipient", recipient_id, "recipient")

    def actions(self) -> dict[int, ActionConfiguration]:
        return self._bodies("herald_event_action", ActionConfiguration.from_dict,
                            "action configuration")

    def add_action(self, configuration: ActionConfiguration) -> int:
        return self._insert("herald_event_action", configuration.to_dict(), MAX_ACTIONS,
                            "action configurations")

    def remove_action(self, action_id: int) -> None:
        self._delete("herald_event_action", action_id, "action configuration")
