"""What every Herald Django process does first: logging, then the database."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection

from herald.environment import keep_files_private
from herald.memory import limit_malloc_arenas, release_large_blocks
from herald.system import logs


def start(process: str) -> None:
    """Set up Django and the system log, and bring the database schema up to
    date; processes starting together take turns (a file lock)."""
    limit_malloc_arenas()
    release_large_blocks()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald_web.settings")
    django.setup()
    env = settings.ENVIRONMENT
    keep_files_private(env)
    logs.setup(process, env)
    # Every Digest exchange starts with a 401: not worth a warning each time.
    # Failed attempts go to the access log instead.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    with open(env.data_dir / ".migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _unapplied_migrations():
            call_command("migrate", interactive=False, verbosity=0)
        from herald_web.maintenance.reset import finish_pending

        finish_pending()  # a reset that a power cut interrupted


def _unapplied_migrations() -> bool:
    """Whether a migration file of an installed app is not yet recorded as
    applied. `migrate` imports every migration module to find out, which
    costs each service seconds of a slow CPU at every boot; a firmware with
    new migrations has new files, and then `migrate` runs."""
    shipped = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        shipped |= {(config.label, f.stem) for f in folder.glob("*.py")
                    if not f.name.startswith("_")}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:  # a new database: no table yet
        return True
    return not shipped <= applied
