"""What every web admin process does as it starts: the database schema is
brought up to date, also when a new firmware brings migrations for a
database that already holds settings."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from tests.conftest import REPO
from tests.webadmin.stack import HeraldStack

START = "from herald_web.startup import start; start('herald-test')"


def run(stack: HeraldStack, *args: str) -> None:
    done = subprocess.run([sys.executable, *args], env=stack.env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def tables(stack: HeraldStack, prefix: str) -> set[str]:
    with sqlite3.connect(stack.data_dir / "db.sqlite3") as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE ?",
                          (prefix + "%",)).fetchall()
    return {name for (name,) in rows}


def test_a_new_device_gets_its_schema(tmp_path, redis_url):
    stack = HeraldStack(tmp_path / "data", redis_url)
    stack.data_dir.mkdir()
    run(stack, "-c", START)
    assert "accounts_account" in tables(stack, "accounts_")
    assert tables(stack, "django_celery_beat_")


def test_migrations_a_firmware_brings_are_applied_and_the_rest_kept(tmp_path, redis_url):
    stack = HeraldStack(tmp_path / "data", redis_url)
    stack.data_dir.mkdir()
    run(stack, "-c", START + "; from herald_web.accounts.service import set_root_password; "
        "set_root_password('Root-pass-1')")
    # As on a database from a firmware that had no schedules yet.
    run(stack, str(REPO / "webadmin" / "manage.py"), "migrate", "django_celery_beat", "zero")
    assert not tables(stack, "django_celery_beat_")

    run(stack, "-c", START)
    assert tables(stack, "django_celery_beat_")
    with sqlite3.connect(stack.data_dir / "db.sqlite3") as db:
        kept = db.execute("SELECT username FROM accounts_account").fetchall()
    assert kept == [("root",)]


def test_the_database_with_the_password_hashes_is_not_for_other_accounts(tmp_path, redis_url):
    stack = HeraldStack(tmp_path / "data", redis_url)
    stack.data_dir.mkdir()
    run(stack, "-c", START)
    database = stack.data_dir / "db.sqlite3"
    assert database.stat().st_mode & 0o007 == 0
    database.chmod(0o644)  # as an older firmware left it
    run(stack, "-c", START)
    assert database.stat().st_mode & 0o777 == 0o640
