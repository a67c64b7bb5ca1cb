"""Maintenance runs as Celery tasks, after the request that asked has been
answered (a short countdown lets the reply reach the client)."""

from celery import shared_task

from maintenance import reset

COUNTDOWN_SECONDS = 1


@shared_task(ignore_result=True)
def restart(by: str) -> None:
    reset.restart(by)


@shared_task(ignore_result=True)
def factory_default(hard: bool, by: str) -> None:
    reset.factory_default(hard, by)
