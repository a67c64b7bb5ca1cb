"""The recordings' records: one recording at a time, and the records an older
firmware kept in the web admin's table taken over on the first start, none lost."""

from __future__ import annotations

import sqlite3

import pytest

from herald.recordings.contract import RECORDING, STOPPED, STOPPING
from herald.recordings.store import LEGACY_TABLE, Busy, RecordingStore

# The web admin's table as firmware before the recordings service created it.
LEGACY = f"""CREATE TABLE "{LEGACY_TABLE}" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
"started" datetime NOT NULL, "stopped" datetime NULL, "status" varchar(10) NOT NULL,
"continuous" bool NOT NULL, "storage" varchar(20) NOT NULL, "source" varchar(40) NOT NULL,
"seconds" real NOT NULL, "message" varchar(200) NOT NULL)"""


def test_one_recording_at_a_time_until_it_is_stopped(tmp_path):
    store = RecordingStore(tmp_path / "db.sqlite3", tmp_path)
    store.open()
    first = store.start("data")
    with pytest.raises(Busy, match="already running"):
        store.start("data")
    assert store.stopping() == [first]
    with pytest.raises(Busy):  # its file is not closed yet
        store.start("data")
    store.stopped(first, 12.5)
    second = store.start("data")
    assert [(r["id"], r["status"]) for r in store.all()] == [(second, RECORDING),
                                                             (first, STOPPED)]
    assert store.get(first)["seconds"] == 12.5
    assert store.path(first, "data") == tmp_path / "recordings" / f"recording-{first}.wav"


def test_the_records_of_an_older_firmware_are_taken_over(tmp_path):
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute(LEGACY)
        db.execute(f"INSERT INTO {LEGACY_TABLE} VALUES (3, '2026-11-30 08:15:00.250000', "
                   f"'2026-11-30 09:15:00', 'stopped', 1, 'data', 'Microphone', 3600.0, '')")
        db.execute(f"INSERT INTO {LEGACY_TABLE} VALUES (4, '2026-12-01 10:00:00', NULL, "
                   f"'stopping', 1, 'data', 'Microphone', 0.0, '')")
    store = RecordingStore(database, tmp_path)
    store.open()
    rows = store.all()
    assert [(r["id"], r["status"]) for r in rows] == [(4, STOPPING), (3, STOPPED)]
    assert rows[1]["started"] == 1796026500.25 and rows[1]["seconds"] == 3600.0
    with sqlite3.connect(database) as db:
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                              (LEGACY_TABLE,)).fetchone()
    store.open()  # the next start finds nothing more to take over
    store.stopped(4, 0.0)
    assert store.start("data") == 5  # numbers go on, so no file is reused
