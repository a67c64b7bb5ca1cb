"""Celery tasks of System: server reports and crash reports (long jobs
started from the page), and network traces."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import redis
from celery import shared_task
from celery.signals import worker_shutting_down
from django.conf import settings

from herald_web.system import report, trace

REPORTS = "reports"


@shared_task
def server_report(mode: str) -> str:
    """mode "text": the report itself; "zip" or "tgz" (the crash report): where
    the archive is under the data directory's reports/ (the caller sends it
    and removes it). Each archive gets a folder of its own: two made in the
    same second share their file name."""
    if mode == "text":
        return report.text()
    stored = f"{uuid.uuid4().hex}/{report.archive_name(mode)}"
    report.write(mode, settings.ENVIRONMENT.data_dir / REPORTS / stored)
    return stored


@shared_task
def start_trace(duration: int, by: str, interface: str = "any") -> dict[str, Any]:
    """Claim the one trace and start it: {"ok": True, "id"} at once (the
    capture goes on in a task of its own), or {"ok": False, "message"}."""
    try:
        claimed = trace.claim(duration, by, interface)
    except trace.TraceError as exc:
        return {"ok": False, "message": str(exc)}
    capture_trace.delay(claimed.to_dict())
    return {"ok": True, "id": claimed.id}


@shared_task(ignore_result=True)
def capture_trace(claimed: dict[str, Any]) -> None:
    trace.capture(trace.TraceState.from_dict(claimed))


@worker_shutting_down.connect
def _end_trace(**kwargs: Any) -> None:
    """A worker that stops ends the trace it runs (which keeps what it
    captured) rather than wait for the whole trace time."""
    with contextlib.suppress(trace.TraceError, redis.RedisError):
        trace.request_stop()
