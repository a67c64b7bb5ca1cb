"""Notifications are the web admin's Celery work: every 30 s (the beat
schedule in settings.py, the outbox's first wait) the worker asks the events
service to start a pass over its outbox, so what could not be delivered is
tried again, with the outbox's back-off, also after a restart. The first try
of each is the service's own, at once. The service answers before the pass
ends, so a slow recipient never holds up the worker's stop (a warm shutdown
waits for running tasks)."""

import logging

from celery import shared_task

from herald.events import contract
from herald_web.device import call

log = logging.getLogger(__name__)

ANSWER_SECONDS = 5.0  # the service answers before its pass; it is down if it takes longer


@shared_task(ignore_result=True)
def deliver_notifications() -> None:
    answer = call(contract.SERVICE, contract.DELIVER_NOTIFICATIONS,
                  timeout=ANSWER_SECONDS)
    if not answer.get("ok"):
        log.warning("notifications not tried: %s", answer.get("message"))
