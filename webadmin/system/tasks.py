"""Celery tasks of System: status facts for the bus, logs, server reports."""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from django.conf import settings

from herald import connections, logs, timesync
from herald.system import contract
from herald_web.device import bus
from system import report

REPORTS = "reports"


def _publish(key: str, value: Any) -> None:
    if bus().state().get(key) != value:
        bus().set_state(key, value)


@shared_task(ignore_result=True)
def refresh_status() -> None:
    """Time sync and connected clients for the Status page, on the bus."""
    _publish(contract.TIME, timesync.status())
    _publish(contract.CLIENTS, connections.connected())


@shared_task(ignore_result=True)
def rotate_logs() -> None:
    logs.rotate(settings.ENVIRONMENT)


@shared_task
def server_report(mode: str) -> str:
    """mode "text": the report itself; "zip": where the zip is under the data
    directory's reports/ (the caller sends it and removes it). Each report gets
    a folder of its own: two made in the same second share their file name."""
    if mode == "text":
        return report.text()
    stored = f"{uuid.uuid4().hex}/{report.archive_name()}"
    report.write_zip(settings.ENVIRONMENT.data_dir / REPORTS / stored)
    return stored
