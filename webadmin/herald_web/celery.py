"""The Celery application of the web admin: Redis broker, tasks from every app."""

import asyncio
import os
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald_web.settings")

app = Celery("herald_web")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


PING_SECONDS = 2.0


class WorkerUnavailable(Exception):
    """No worker took the job, or none finished it in time; says which."""


async def ask_worker(task: Any, *args: Any, timeout: float) -> Any:
    """Run `task` on a worker and wait for its result without holding up the
    event loop; WorkerUnavailable at once when no worker answers a ping (a
    job queued for none would keep the caller waiting its whole timeout)."""
    if not await asyncio.to_thread(app.control.ping, timeout=PING_SECONDS, limit=1):
        raise WorkerUnavailable("the worker that does this is not running; try again in a "
                                "minute, or restart the device if it stays so")
    try:
        return await asyncio.to_thread(task.delay(*args).get, timeout=timeout)
    except CeleryTimeout:
        raise WorkerUnavailable(f"the worker did not finish within {timeout:g} s; "
                                "try again") from None
