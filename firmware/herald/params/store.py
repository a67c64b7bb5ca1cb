"""Parameter values on disk, in the device's SQLite database.

The store is the one way to read and change parameters, from the web admin,
the VAPIX API and the core services alike. Every change is checked against
the tree first and written in one transaction, so a request with one bad
value changes nothing; after the commit the change is announced on the bus
as the event CHANGED (contract.py) with data ``{"changed": {name: value},
"removed": [group, ...]}`` (values of passwords are None: read them here).
SQLite runs in WAL mode with full sync, so a change that was answered
survives a power cut.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import redis

from herald.access import Level
from herald.bus import Bus
from herald.database import DataVersion, connect, write_transaction
from herald.params.contract import CHANGED
from herald.params.tree import Pattern, Resolved, TemplateSite, Tree, strip_root

log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS herald_param (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS herald_param_group (name TEXT PRIMARY KEY);
"""


class ParamError(Exception):
    """A parameter could not be set; nothing of the request was applied."""

    def __init__(self, name: str, value: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name, self.value, self.reason = name, value, reason


class GroupError(Exception):
    """A group could not be added or removed; nothing was changed."""


@dataclass(frozen=True)
class Snapshot:
    """All values at one moment, for reading many parameters consistently.
    Shared between threads while the database is unchanged: its values never
    change (it only remembers what was once worked out from them)."""

    tree: Tree
    stored: Mapping[str, str]
    instances: tuple[str, ...]
    _derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def value(self, resolved: Resolved) -> str:
        stored = self.stored.get(resolved.name)
        return stored if stored is not None else resolved.definition.default()

    def get(self, name: str) -> str:
        resolved = self.tree.resolve(name)
        if resolved is None or (resolved.instance and resolved.instance not in self.instances):
            raise KeyError(name)
        return self.value(resolved)

    def derived(self, key: Hashable, make: Callable[[Snapshot], T]) -> T:
        """`make(self)`, worked out once per `key` for this snapshot: what is
        read on every request (param.cgi's whole tree) is then read, not rebuilt,
        until the next commit makes a new snapshot."""
        try:
            return self._derived[key]
        except KeyError:
            found = self._derived[key] = make(self)
            return found

    def readable(self, level: Level) -> tuple[tuple[Resolved, str], ...]:
        """Parameters `level` may read, with values; secrets read as ''."""
        return self.derived(("readable", level), lambda snapshot: tuple(
            (resolved, "" if resolved.definition.secret else snapshot.value(resolved))
            for resolved in snapshot.tree.concrete(snapshot.instances)
            if resolved.definition.read <= level))


@dataclass(frozen=True)
class Listing:
    lines: list[tuple[str, str]]
    missing: list[str]  # patterns that matched nothing readable


class ParamStore:
    def __init__(self, database: Path, tree: Tree, bus: Bus | None = None) -> None:
        self.database = database
        self.tree = tree
        self.bus = bus
        self._local = threading.local()  # one connection per thread, kept open
        self.version = DataVersion(database)
        self._cached: tuple[int, Snapshot] | None = None

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.database)
            conn.executescript(SCHEMA)
            self._local.conn = conn
        return conn

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self._connect())

    def _read(self, conn: sqlite3.Connection) -> Snapshot:
        # One read transaction, so both tables come from the same moment.
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            stored = dict(conn.execute("SELECT name, value FROM herald_param"))
            instances = tuple(n for (n,) in conn.execute("SELECT name FROM herald_param_group"))
        finally:
            if own:
                conn.execute("COMMIT")
        return Snapshot(self.tree, stored, instances)

    def snapshot(self) -> Snapshot:
        """The values now; the same object until anyone commits to the database."""
        generation = self.generation()  # before reading: a commit in between only rereads
        cached = self._cached
        if cached is not None and cached[0] == generation:
            return cached[1]
        snapshot = self._read(self._connect())
        self._cached = (generation, snapshot)
        return snapshot

    def generation(self) -> int:
        """Changes whenever anyone commits to the database (DataVersion)."""
        return self.version.current()

    def get(self, name: str) -> str:
        return self.snapshot().get(name)

    def list(self, patterns: list[str], level: Level) -> Listing:
        """What param.cgi action=list shows `level` for these group patterns
        (the whole tree is `snapshot().readable(level)`)."""
        readable = self.snapshot().readable(level)
        lines: list[tuple[str, str]] = []
        missing: list[str] = []
        seen: set[str] = set()
        for text in patterns:
            try:
                pattern = Pattern(text)
            except ValueError:
                missing.append(text)
                continue
            found = [(r.name, v) for r, v in readable if pattern.matches(r.name)]
            if not found:
                missing.append(pattern.text)
            lines.extend(item for item in found if item[0] not in seen)
            seen.update(name for name, _ in found)
        return Listing(lines, missing)

    def update(self, changes: Mapping[str, str], level: Level) -> dict[str, str]:
        """Set all of `changes` or, if any is refused, none; returns what changed."""
        with self._transaction() as conn:
            current = self._read(conn)
            checked = {}
            for name, value in changes.items():
                resolved = self._writable(current, name, value, level)
                checked[resolved.name] = self._parse(resolved, value)
            changed = {n: v for n, v in checked.items() if current.stored.get(n) != v}
            conn.executemany(
                "INSERT INTO herald_param (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                changed.items(),
            )
        self._announce(changed, [])
        return changed

    def _writable(self, current: Snapshot, name: str, value: str, level: Level) -> Resolved:
        resolved = self.tree.resolve(name)
        if resolved is None or (resolved.instance and resolved.instance not in current.instances):
            raise ParamError(strip_root(name), value, "no such parameter")
        definition = resolved.definition
        # Read-only means read-only for people; the firmware itself (ROOT, which no
        # account reaches) sets facts such as a clip's file location.
        if definition.computed or (definition.write >= Level.ROOT and level < Level.ROOT):
            raise ParamError(resolved.name, value, "read-only")
        if definition.write > level:
            raise ParamError(resolved.name, value, "not allowed for this account")
        return resolved

    @staticmethod
    def _parse(resolved: Resolved, value: str) -> str:
        try:
            return resolved.definition.param.type.parse(value)
        except ValueError as exc:
            raise ParamError(resolved.name, value, str(exc)) from None

    def add(self, template: str, parent: str, values: Mapping[str, str], level: Level) -> str:
        """Make a numbered group from `template` under `parent`; returns its
        short name ("T3"). `values` are keyed "<parent>.<prefix>.<param>"."""
        site = self._site(template, parent)
        if site.template.create > level:
            raise GroupError("not allowed for this account")
        with self._transaction() as conn:
            current = self._read(conn)
            added = self._insert_group(conn, current, site, values, level)
        instance = added.instances[-1]
        self._announce(self._members(added, [instance]), [])
        return instance.rsplit(".", 1)[1]

    def replace_groups(self, template: str, parent: str, groups: list[Mapping[str, str]],
                       level: Level) -> list[str]:
        """Every group of `template` under `parent` gives way to `groups` (each's
        values keyed as for `add`), all or none: a list set whole, as a client
        sends it, is never left half written. Returns the new groups' short names."""
        site = self._site(template, parent)
        if site.template.create > level or site.template.delete > level:
            raise GroupError("not allowed for this account")
        with self._transaction() as conn:
            current = self._read(conn)
            doomed = [i for i in current.instances if site.pattern.fullmatch(i.lower())]
            self._delete_groups(conn, current, doomed)
            now = Snapshot(self.tree, {n: v for n, v in current.stored.items()
                                       if not n.startswith(tuple(d + "." for d in doomed))},
                           tuple(i for i in current.instances if i not in doomed))
            for values in groups:
                now = self._insert_group(conn, now, site, values, level)
        made = [i for i in now.instances if site.pattern.fullmatch(i.lower())]
        self._announce(self._members(now, made), [d for d in doomed if d not in made])
        return [instance.rsplit(".", 1)[1] for instance in made]

    def _members(self, values: Snapshot, instances: list[str]) -> dict[str, str]:
        """The values of the groups' own parameters (no other parameter changed)."""
        return {r.name: values.value(r) for r in self.tree.concrete(instances)
                if r.instance in instances}

    def _site(self, template: str, parent: str) -> TemplateSite:
        site = self.tree.templates.get(template.strip().lower())
        if site is None:
            raise GroupError(f"no template named {template!r}")
        if strip_root(parent).lower() != site.parent.lower():
            raise GroupError(f"template {site.template.name} belongs in group {site.parent}")
        return site

    def _insert_group(self, conn: sqlite3.Connection, current: Snapshot, site: TemplateSite,
                      values: Mapping[str, str], level: Level) -> Snapshot:
        """Write the group with the lowest free number; the values with it after."""
        taken = {
            int(m.group(1)) for i in current.instances
            if (m := site.pattern.fullmatch(i.lower()))
        }
        if len(taken) >= site.template.max_groups:
            raise GroupError(f"{site.parent} holds at most {site.template.max_groups} groups")
        number = min(set(range(len(taken) + 1)) - taken)
        instance = site.instance_name(number)
        unnumbered = f"{site.parent}.{site.template.prefix}.".lower()
        with_group = Snapshot(self.tree, current.stored, (*current.instances, instance))
        checked = {}
        for key, value in values.items():
            name = strip_root(key)
            if not name.lower().startswith(unnumbered):
                raise GroupError(f"{name}: not a parameter of the new group")
            full = f"{instance}.{name[len(unnumbered):]}"
            try:
                resolved = self._writable(with_group, full, value, level)
                checked[resolved.name] = self._parse(resolved, value)
            except ParamError as exc:
                raise GroupError(f"{exc.name}: {exc.reason}") from None
        for member in self.tree.concrete([instance]):
            if member.name not in checked:
                try:
                    member.definition.param.type.parse(member.definition.default())
                except ValueError as exc:
                    raise GroupError(f"{member.name}: {exc}") from None
        conn.execute("INSERT INTO herald_param_group (name) VALUES (?)", (instance,))
        conn.executemany(
            "INSERT OR REPLACE INTO herald_param (name, value) VALUES (?, ?)", checked.items()
        )
        return Snapshot(self.tree, {**current.stored, **checked}, with_group.instances)

    def remove(self, groups: list[str], level: Level) -> None:
        """Remove made groups, all or none."""
        with self._transaction() as conn:
            current = self._read(conn)
            by_key = {i.lower(): i for i in current.instances}
            doomed = []
            for group in groups:
                site = self.tree.instance_site(group)
                instance = by_key.get(strip_root(group).lower())
                if site is None or instance is None:
                    raise GroupError(f"no group {strip_root(group)!r} to remove")
                if site.template.delete > level:
                    raise GroupError("not allowed for this account")
                doomed.append(instance)
            self._delete_groups(conn, current, doomed)
        self._announce({}, doomed)

    @staticmethod
    def _delete_groups(conn: sqlite3.Connection, current: Snapshot, doomed: list[str]) -> None:
        for instance in doomed:
            conn.execute("DELETE FROM herald_param_group WHERE name = ?", (instance,))
            conn.executemany(
                "DELETE FROM herald_param WHERE name = ?",
                [(n,) for n in current.stored if n.startswith(instance + ".")],
            )

    def reset(self, keep: frozenset[str] = frozenset()) -> None:
        """Factory default: every parameter back to its default but `keep`."""
        kept = {strip_root(k).lower() for k in keep}
        with self._transaction() as conn:
            current = self._read(conn)
            conn.executemany(
                "DELETE FROM herald_param WHERE name = ?",
                [(n,) for n in current.stored if n.lower() not in kept],
            )
            conn.execute("DELETE FROM herald_param_group")
        fresh = self.snapshot()
        changed = {
            r.name: fresh.value(r) for r in self.tree.concrete(())
            if current.value(r) != fresh.value(r)
        }
        self._announce(changed, list(current.instances))

    def _announce(self, changed: Mapping[str, str], removed: list[str]) -> None:
        if self.bus is None or not (changed or removed):
            return
        public: dict[str, str | None] = {}
        for name, value in changed.items():
            resolved = self.tree.resolve(name)
            secret = resolved is not None and resolved.definition.secret
            public[name] = None if secret else value
        try:
            self.bus.publish(CHANGED, changed=public, removed=removed)
        except redis.RedisError as exc:  # stored is stored: the services catch up
            log.warning("stored %d parameter changes but could not announce them (%s); "
                        "the services pick them up from the database", len(public) + len(removed),
                        type(exc).__name__)
