"""The Celery application of the web admin: Redis broker, tasks from every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald_web.settings")

app = Celery("herald_web")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


async def outcome(result: object, timeout: float) -> object:
    """Wait for a task's result without holding up the event loop."""
    import asyncio

    return await asyncio.to_thread(result.get, timeout=timeout)
