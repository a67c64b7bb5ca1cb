"""Maintenance runs as Celery tasks, after the request that asked has been
answered (a short countdown lets the reply reach the client): restarts and
resets, and the firmware jobs a page starts (the update service installs;
the task waits for it, then restarts into the new firmware when quiet)."""

from typing import Any

from celery import shared_task

from herald_web.maintenance import firmware, reset

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


@shared_task
def firmware_upgrade(token: str, kind: str, confirm_minutes: float, factory_default: str,
                     force: bool, by: str, url: str = "") -> dict[str, Any]:
    """Check and install an uploaded bundle (or the one at `url`), then restart
    into it when quiet."""
    if url:
        outcome = firmware.install_from(url, kind, confirm_minutes, by)
    else:
        outcome = firmware.install(token, kind, confirm_minutes, by)
    if outcome["ok"]:
        firmware_restart.delay(factory_default, force, by, outcome["version"])
    return outcome


@shared_task(ignore_result=True)
def firmware_restart(factory_default: str, force: bool, by: str, version: str) -> None:
    firmware.restart_when_quiet(factory_default, force, by, version)


@shared_task
def firmware_rollback(force: bool, by: str) -> dict[str, Any]:
    outcome = firmware.rollback(by)
    if outcome["ok"] and outcome["restart"]:
        firmware_restart.delay("", force, by, outcome["version"])
    return outcome
