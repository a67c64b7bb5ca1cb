"""The Celery application of the web admin: Redis broker, tasks from every
app. herald-worker loads it at its start, herald-web at its first job
(jobs.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald_web.settings")

app = Celery("herald_web")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
