"""What every web admin process does as it starts: the database schema is
brought up to date, also when a new firmware brings migrations for a
database that already holds settings."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import redis

from herald.bus import CALL_PREFIX
from herald.events import contract as events
from tests.conftest import REPO, redis_server, wait_until
from tests.webadmin.fixtures import ROOT
from tests.webadmin.stack import HeraldStack

START = "from herald_web.startup import start; start('herald-test')"
# The database of the firmware at commit 20e918c, whose worker kept its
# schedule in django-celery-beat's tables (its web admin and worker had run;
# root's password set): `sqlite3 db.sqlite3 .dump`.
BEAT_DATABASE = Path(__file__).parent / "databases" / "beat_schedule.sql"
SCHEDULE_SECONDS = 30  # settings.CELERY_BEAT_SCHEDULE: the notification pass


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
    assert "recordings_recording" in tables(stack, "recordings_")


def test_migrations_a_firmware_brings_are_applied_and_the_rest_kept(tmp_path, redis_url):
    stack = HeraldStack(tmp_path / "data", redis_url)
    stack.data_dir.mkdir()
    run(stack, "-c", START + "; from herald_web.accounts.service import set_root_password; "
        "set_root_password('Root-pass-1')")
    # As on a database from a firmware that had no recordings yet.
    run(stack, str(REPO / "webadmin" / "manage.py"), "migrate", "recordings", "zero")
    assert not tables(stack, "recordings_")

    run(stack, "-c", START)
    assert tables(stack, "recordings_")
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


def test_a_device_upgraded_from_the_firmware_with_django_celery_beat(tmp_path):
    """Its accounts log in, its worker asks for the notification pass by its
    own schedule, and django-celery-beat's tables and their migrations stay as
    they were, for a rollback to that firmware."""
    (tmp_path / "redis").mkdir()
    with redis_server(tmp_path / "redis") as url:
        stack = HeraldStack(tmp_path / "data", url)
        stack.data_dir.mkdir()
        with sqlite3.connect(stack.data_dir / "db.sqlite3") as db:
            db.executescript(BEAT_DATABASE.read_text())
        try:
            stack.start()
            with stack.vapix(ROOT) as client:
                reply = client.get("/axis-cgi/pwdgrp.cgi", params={"action": "get"})
            assert reply.status_code == 200 and "root" in reply.text, reply.text
            calls = redis.Redis.from_url(url)  # no herald-core: the call waits there
            wait_until(lambda: any(events.DELIVER_NOTIFICATIONS.encode() in body for body in
                                   calls.lrange(CALL_PREFIX + events.SERVICE, 0, -1)),
                       timeout=SCHEDULE_SECONDS + 15,
                       what="the worker's scheduled notification pass")
        finally:
            stack.stop()
    assert "django_celery_beat_periodictask" in tables(stack, "django_celery_beat_")
    with sqlite3.connect(stack.data_dir / "db.sqlite3") as db:
        (beat_migrations,) = db.execute(
            "SELECT count(*) FROM django_migrations WHERE app = 'django_celery_beat'").fetchone()
        (schedule,) = db.execute("SELECT count(*) FROM django_celery_beat_periodictask").fetchone()
    assert (beat_migrations, schedule) == (21, 2)
