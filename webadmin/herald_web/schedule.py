"""Periodic tasks in the database-backed beat schedule, made idempotently
by the apps after each migration (so a factory default gets them back)."""

from __future__ import annotations

from django_celery_beat.models import IntervalSchedule, PeriodicTask


def every(name: str, task: str, seconds: int) -> None:
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=seconds, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update_or_create(
        name=name, defaults={"task": task, "interval": interval, "enabled": True}
    )
