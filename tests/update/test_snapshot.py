"""Going back to the previous firmware brings back the configuration it had:
the copy taken before the upgrade replaces the database at the next boot of
the old slot, and only then."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from herald.update.contract import INSTALLED, INSTALLING, STANDARD, PendingUpgrade
from herald.update.snapshot import Snapshots, booted_slot, restore_at_boot


def settings_db(path: Path, volume: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS params (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR REPLACE INTO params VALUES ('Audio.Volume', ?)", (volume,))
    db.close()


def volume(path: Path) -> str:
    with sqlite3.connect(path) as db:
        value = db.execute("SELECT value FROM params WHERE name='Audio.Volume'").fetchone()[0]
    db.close()
    return value


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Snapshots, Path]:
    database = tmp_path / "db.sqlite3"
    settings_db(database, "40")
    return Snapshots(tmp_path / "update", database), database


def pending(stage: str = INSTALLED, boot: str = "boot-1") -> PendingUpgrade:
    return PendingUpgrade(STANDARD, stage, "A", "1.0.0", "1.1.0", boot=boot)


def test_after_an_upgrade_that_came_back_the_old_configuration_returns(setup):
    snapshots, database = setup
    snapshots.take("A", "1.0.0")
    settings_db(database, "90")  # the new firmware changed (and migrated) the settings
    restored = restore_at_boot(snapshots, pending(), booted="A", this_boot="boot-2")
    assert restored is not None and restored.version == "1.0.0"
    assert volume(database) == "40"
    assert snapshots.current() is None and not snapshots.copy.exists()


def test_the_new_firmware_and_an_unfinished_install_keep_the_live_configuration(setup):
    snapshots, database = setup
    snapshots.take("A", "1.0.0")
    settings_db(database, "90")
    assert restore_at_boot(snapshots, pending(), booted="B", this_boot="boot-2") is None
    assert restore_at_boot(snapshots, pending(INSTALLING), booted="A", this_boot="boot-2") is None
    assert restore_at_boot(snapshots, pending(), booted="A", this_boot="boot-1") is None
    assert volume(database) == "90"
    assert snapshots.current() is not None  # kept for a later rollback


def test_a_rollback_asks_for_the_copy_of_the_slot_it_returns_to_only(setup):
    snapshots, database = setup
    snapshots.take("A", "1.0.0")
    settings_db(database, "90")
    assert not snapshots.restore_on_next_boot("B")
    assert snapshots.restore_on_next_boot("A")
    assert restore_at_boot(snapshots, None, booted="B", this_boot="x") is None
    assert volume(database) == "90"
    assert restore_at_boot(snapshots, None, booted="A", this_boot="x") is not None
    assert volume(database) == "40"


def test_a_restore_cut_short_by_a_power_cut_is_done_again(setup):
    snapshots, database = setup
    snapshots.take("A", "1.0.0")
    settings_db(database, "90")
    snapshots.restore_on_next_boot("A")
    # The power failed after the copy was put in place, before the request was cleared.
    Path(f"{database}.restore").write_bytes(snapshots.copy.read_bytes())
    Path(f"{database}.restore").replace(database)
    assert restore_at_boot(snapshots, None, booted="A", this_boot="x") is not None
    assert volume(database) == "40"


def test_the_booted_slot_comes_from_the_kernel_command_line(tmp_path):
    cmdline = tmp_path / "cmdline"
    cmdline.write_text("root=PARTLABEL=rootB ro rauc.slot=B console=ttyS0\n")
    assert booted_slot(cmdline) == "B"
    cmdline.write_text("root=/dev/sda1 ro\n")
    assert booted_slot(cmdline) == ""
