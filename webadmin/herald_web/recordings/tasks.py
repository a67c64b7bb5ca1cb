"""Recordings run as Celery tasks: one task per ongoing recording.

A task records until its recording is asked to stop. When the worker shuts
down (a reboot) the task ends but the recording stays ongoing; the next
worker start resumes every ongoing continuous recording into the same file,
as the manual says a continuous recording does after a reboot.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import shared_task
from celery.signals import worker_ready, worker_shutting_down
from django.conf import settings
from django.utils import timezone

from herald.audio.link import LinkError, socket_path
from herald.audio.recorder import record as record_into
from herald.recordings import contract

log = logging.getLogger(__name__)
SHUTTING_DOWN = threading.Event()
CHECK_SECONDS = 1.0
RETRY_SECONDS = 2.0


def publish_ongoing() -> None:
    """The Status page's "Ongoing recordings" section reads this bus state."""
    from herald_web.device import bus
    from herald_web.recordings.models import STORAGES, Recording

    running = (Recording.ONGOING, Recording.STOPPING)  # until the task has closed the file
    ongoing = tuple(contract.Recording(r.name, r.source, STORAGES[r.storage])
                    for r in Recording.objects.filter(status__in=running))
    bus().set_state(contract.ONGOING, contract.Ongoing(ongoing).to_dict() if ongoing else None)


class StopWatch:
    """Tells the recorder when to stop: a stop request, or the worker going down."""

    def __init__(self, recording_id: int) -> None:
        self.recording_id = recording_id
        self.checked = 0.0
        self.stop = False

    def __call__(self) -> bool:
        from herald_web.recordings.models import Recording

        if SHUTTING_DOWN.is_set():
            return True
        now = time.monotonic()
        if now - self.checked >= CHECK_SECONDS:
            self.checked = now
            status = Recording.objects.filter(pk=self.recording_id).values_list(
                "status", flat=True).first()
            self.stop = status != Recording.ONGOING
        return self.stop


@shared_task
def record(recording_id: int) -> dict[str, Any]:
    from herald_web.recordings.models import Recording

    recording = Recording.objects.get(pk=recording_id)
    watch = StopWatch(recording_id)
    link = socket_path(settings.ENVIRONMENT)
    seconds = recording.seconds
    while not watch():
        try:
            seconds = record_into(link, recording.path, watch)
        except LinkError as exc:  # input off or the core restarting: keep trying
            Recording.objects.filter(pk=recording_id).update(message=str(exc))
            SHUTTING_DOWN.wait(RETRY_SECONDS)
        else:
            Recording.objects.filter(pk=recording_id).update(message="")
    Recording.objects.filter(pk=recording_id).update(seconds=seconds)
    if not SHUTTING_DOWN.is_set():
        Recording.objects.filter(pk=recording_id).update(
            status=Recording.STOPPED, stopped=timezone.now())
        publish_ongoing()
    return {"recording": recording_id, "seconds": seconds}


@worker_shutting_down.connect
def _shutting_down(**kwargs: Any) -> None:
    SHUTTING_DOWN.set()


@worker_ready.connect
def _resume(**kwargs: Any) -> None:
    """After a restart, go on with the continuous recordings that were running."""
    from herald_web.recordings.models import Recording

    SHUTTING_DOWN.clear()
    for recording in Recording.objects.filter(status=Recording.ONGOING, continuous=True):
        log.info("resuming %s", recording.name)
        record.delay(recording.pk)
    Recording.objects.filter(status=Recording.STOPPING).update(
        status=Recording.STOPPED, stopped=timezone.now())
    publish_ongoing()
