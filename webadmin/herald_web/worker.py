"""herald-worker: the Celery worker with its beat scheduler embedded (the
schedule lives in the database, django-celery-beat)."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from celery.signals import worker_ready, worker_shutdown

log = logging.getLogger("herald_web.worker")


@worker_ready.connect
def _ready(**kwargs: Any) -> None:
    from herald_web.device import bus

    bus().set_state("services.worker", {"pid": os.getpid()})
    log.info("worker ready")


@worker_shutdown.connect
def _stopped(**kwargs: Any) -> None:
    from herald_web.device import bus

    bus().set_state("services.worker", None)


def main(argv: list[str] | None = None) -> None:
    from herald_web.startup import start

    start("herald-worker")
    from herald_web.celery import app

    app.worker_main([
        "worker", "--beat", "--loglevel", "INFO",
        "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
        # Threads: tasks mostly wait on the network and the disk, and one
        # process keeps the memory of a small device free.
        "--pool", "threads", "--concurrency", os.environ.get("HERALD_WORKER_CONCURRENCY", "4"),
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"herald@{socket.gethostname()}",
        *(argv or []),
    ])


if __name__ == "__main__":
    main()
