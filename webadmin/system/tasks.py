"""Celery tasks of System: status facts for the bus, logs, server reports."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from herald import connections, logs, timesync
from herald_web.device import bus
from system import report

REPORTS = "reports"


def _publish(key: str, value: Any) -> None:
    if bus().state().get(key) != value:
        bus().set_state(key, value)


@shared_task(ignore_result=True)
def refresh_status() -> None:
    """Time sync and connected clients for the Status page, on the bus."""
    _publish("system.time", timesync.status())
    _publish("system.clients", connections.connected())


@shared_task(ignore_result=True)
def rotate_logs() -> None:
    logs.rotate(settings.ENVIRONMENT)


@shared_task
def server_report(mode: str) -> str:
    """mode "text": the report itself; "zip": the name of a zip in the data
    directory's reports/ (the caller sends it and removes it)."""
    if mode == "text":
        return report.text()
    name = report.archive_name()
    report.write_zip(settings.ENVIRONMENT.data_dir / REPORTS / name)
    return name
