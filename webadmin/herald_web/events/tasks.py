"""Notifications are the web admin's Celery work: every 30 s (the beat
schedule in settings.py, the outbox's first wait) the worker asks the events
service for a pass over its outbox, so what could not be delivered is tried
again, with the outbox's back-off, also after a restart. The first try of
each is the service's own, at once."""

import logging

from celery import shared_task

from herald.events import contract
from herald_web.device import call

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def deliver_notifications() -> None:
    answer = call(contract.SERVICE, contract.DELIVER_NOTIFICATIONS, timeout=120)
    if not answer.get("ok"):
        log.warning("notifications not tried: %s", answer.get("message"))
    elif answer["delivered"]:
        log.info("%d waiting notifications delivered", answer["delivered"])
