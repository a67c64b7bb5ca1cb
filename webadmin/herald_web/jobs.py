"""The web admin's jobs for its Celery worker. Its Celery app and task modules
load at the first request that sends or pings a job, not at herald-web's
start, which is on the boot's critical path. (Django's setup still imports
Celery's library: django_celery_beat's models need it.)"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from celery import Celery
    from celery.result import AsyncResult

PING_SECONDS = 2.0


def celery() -> Celery:
    """The web admin's Celery app (herald_web.celery)."""
    from herald_web.celery import app

    return app


class Tasks:
    """The tasks of a module, imported at the first use of one: after the
    app, so that they send through it and not through Celery's default."""

    def __init__(self, module: str) -> None:
        self.module = module

    def __getattr__(self, name: str) -> Any:
        celery()
        return getattr(importlib.import_module(self.module), name)


class WorkerUnavailable(Exception):
    """No worker took the job, or none finished it in time; says which."""


def worker_answers(timeout: float) -> bool:
    return bool(celery().control.ping(timeout=timeout, limit=1))


def outcome(result: AsyncResult, timeout: float) -> Any:
    """The job's result; WorkerUnavailable when it did not finish in time."""
    from celery.exceptions import TimeoutError as CeleryTimeout

    try:
        return result.get(timeout=timeout)
    except CeleryTimeout:
        raise WorkerUnavailable(f"the worker did not finish within {timeout:g} s; "
                                "try again") from None


async def ask_worker(task: Any, *args: Any, timeout: float) -> Any:
    """Run `task` on a worker and wait for its result without holding up the
    event loop; WorkerUnavailable at once when no worker answers a ping (a
    job queued for none would keep the caller waiting its whole timeout)."""
    if not await asyncio.to_thread(worker_answers, PING_SECONDS):
        raise WorkerUnavailable("the worker that does this is not running; try again in a "
                                "minute, or restart the device if it stays so")
    return await asyncio.to_thread(outcome, task.delay(*args), timeout)
