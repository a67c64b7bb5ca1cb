"""herald-worker: the Celery worker with its beat scheduler embedded.

Celery's own --beat forks a second process for the scheduler; here it runs
as a thread of the worker instead, which saves a whole Python process of
memory on the device.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Any

import redis
from celery import bootsteps
from celery.beat import EmbeddedService
from celery.signals import worker_ready, worker_shutdown

from herald_web.contract import WORKER

log = logging.getLogger("herald_web.worker")


# Celery's scheduler in memory: the schedule is settings.CELERY_BEAT_SCHEDULE
# alone, an entry every 30 s with nothing worth keeping across restarts.
# django-celery-beat's database scheduler cost each web admin process 3-5 MiB
# (its models, loaded by django.setup(), import Celery and every time zone).
SCHEDULER = "celery.beat:Scheduler"


class ThreadedBeat(bootsteps.StartStopStep):
    """The beat scheduler as a thread of the worker."""

    label = "Beat thread"

    def create(self, worker: Any) -> Any:
        return EmbeddedService(worker.app, thread=True, scheduler_cls=SCHEDULER)


@worker_ready.connect
def _ready(**kwargs: Any) -> None:
    from herald_web.device import bus

    bus().set_state(WORKER, {"pid": os.getpid()})
    log.info("worker ready")


@worker_shutdown.connect
def _stopped(**kwargs: Any) -> None:
    from herald_web.device import bus

    try:
        bus().set_state(WORKER, None)
    except redis.RedisError:
        log.info("Redis stopped first: no worker state to clear")


def main() -> None:
    from herald_web.startup import start

    start("herald-worker")
    # Django's system checks (Celery runs them as a worker starts) import every
    # page and API module to check the URLs: work for the developer's
    # `manage.py check`, not for each start of a worker that serves no page.
    os.environ.setdefault("CELERY_SKIP_CHECKS", "1")
    from herald_web.celery import app

    app.steps["worker"].add(ThreadedBeat)
    # Started as `celery worker` would start it, without its command line:
    # that imports every Celery command and their interactive shell.
    worker = app.Worker(
        hostname=f"herald@{socket.gethostname()}", loglevel="INFO",
        # Threads: tasks mostly wait on the network and the disk, and one
        # process keeps the memory of a small device free.
        pool_cls="threads", concurrency=int(os.environ.get("HERALD_WORKER_CONCURRENCY", "4")),
        without_gossip=True, without_mingle=True, without_heartbeat=True)
    worker.start()
    sys.exit(worker.exitcode)


if __name__ == "__main__":
    main()
