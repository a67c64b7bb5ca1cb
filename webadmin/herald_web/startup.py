"""What every Herald Django process does first: logging, then the database."""

from __future__ import annotations

import fcntl
import logging
import os

import django
from django.conf import settings
from django.core.management import call_command

from herald import logs
from herald.memory import limit_malloc_arenas


def start(process: str) -> None:
    """Set up Django and the system log, and bring the database schema up to
    date; processes starting together take turns (a file lock)."""
    limit_malloc_arenas()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald_web.settings")
    django.setup()
    env = settings.ENVIRONMENT
    logs.setup(process, env)
    # Every Digest exchange starts with a 401: not worth a warning each time.
    # Failed attempts go to the access log instead.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    with open(env.data_dir / ".migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command("migrate", interactive=False, verbosity=0)
        from maintenance.reset import finish_pending

        finish_pending()  # a reset that a power cut interrupted
