"""Celery tasks of System: server reports (a long job started from the page)."""

from __future__ import annotations

import uuid

from celery import shared_task
from django.conf import settings

from herald_web.system import report

REPORTS = "reports"


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
