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


def schedule_restart(by: str) -> None:
    restart.apply_async((by,), countdown=COUNTDOWN_SECONDS)


def schedule_reset(hard: bool, by: str) -> None:
    """Restore (hard=False: the network settings stay) or factory default."""
    factory_default.apply_async((hard, by), countdown=COUNTDOWN_SECONDS)
