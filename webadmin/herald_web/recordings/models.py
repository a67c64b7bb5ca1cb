"""A recording of the microphone: one WAV file on a storage, and its state."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models

STORAGES = {"data": "Data partition"}


def storage_dir(storage: str) -> Path:
    if storage not in STORAGES:
        raise ValueError(f"no storage {storage!r}")
    return settings.ENVIRONMENT.data_dir / "recordings"


class Recording(models.Model):
    ONGOING, STOPPING, STOPPED, FAILED = "ongoing", "stopping", "stopped", "failed"
    STATUSES = [(ONGOING, "Ongoing"), (STOPPING, "Stopping"), (STOPPED, "Stopped"),
                (FAILED, "Failed")]

    started = models.DateTimeField()
    stopped = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=ONGOING)
    continuous = models.BooleanField(default=True)
    storage = models.CharField(max_length=20, default="data")
    source = models.CharField(max_length=40, default="Microphone")
    seconds = models.FloatField(default=0.0)
    message = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started"]

    @property
    def path(self) -> Path:
        return storage_dir(self.storage) / f"recording-{self.pk}.wav"

    @property
    def name(self) -> str:
        return f"Recording {self.pk} ({self.started:%Y-%m-%d %H:%M:%S})"

    @property
    def storage_name(self) -> str:
        return STORAGES.get(self.storage, self.storage)

    @property
    def ongoing(self) -> bool:
        return self.status in (self.ONGOING, self.STOPPING)

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0
