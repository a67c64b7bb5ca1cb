"""GET /healthz for the update health gate and for monitoring: 200 with
{"database": true, "redis": true, "worker": true, "core": true, "updater":
true, "system": true, "snmp": true, "mqtt": true, "sip": true} when Django can
query its database, Redis answers, a Celery worker answers a ping within
`WORKER_TIMEOUT`, and herald-core's audio service (with its devices open), the
update service and the system service answer theirs within `SERVICE_TIMEOUT`,
and so do herald-snmp, herald-mqtt and herald-sip while their settings turn
them on (off, they may rightly be idle: true); 503 with the failing check
false and an "error" saying which, also while systemd restarts a service that
died. Tells nothing secret."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import HttpRequest, JsonResponse

from herald.audio import contract as audio
from herald.bus import PING
from herald.mqtt import contract as mqtt
from herald.sip import contract as sip
from herald.snmp import contract as snmp
from herald.system import contract as system
from herald.update import contract as update
from herald_web.accounts.access import public
from herald_web.celery import app
from herald_web.device import bus, params

# Monitoring waits at most ANSWER_SECONDS for the answer, also while Redis is
# frozen (a check there can hang longer than its own timeout says).
WORKER_TIMEOUT = 1.8
SERVICE_TIMEOUT = 1.8
ANSWER_SECONDS = 1.9


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _redis() -> bool:
    return bool(bus().redis.ping())


def _worker() -> bool:
    return bool(app.control.ping(timeout=WORKER_TIMEOUT, limit=1))


def _answers(service: str) -> Callable[[], bool]:
    def check() -> bool:
        answer = bus().call(service, PING, timeout=SERVICE_TIMEOUT)
        return isinstance(answer, dict) and answer.get("ok") is True
    return check


def _answers_while_on(service: str, enabled: str) -> Callable[[], bool]:
    """`service` answers, if the setting `enabled` turns it on."""
    answers = _answers(service)

    def check() -> bool:
        return params().get(enabled) != "yes" or answers()
    return check


CHECKS: dict[str, Callable[[], bool]] = {
    "database": _database, "redis": _redis, "worker": _worker,
    "core": _answers(audio.SERVICE), "updater": _answers(update.SERVICE),
    "system": _answers(system.SERVICE),
    "snmp": _answers_while_on(snmp.SERVICE, snmp.ENABLED),
    "mqtt": _answers_while_on(mqtt.SERVICE, mqtt.ENABLED),
    "sip": _answers_while_on(sip.SERVICE, sip.ENABLED),
}


def failing() -> list[str]:
    """The checks that fail now, asked one after the other (for code that
    waits in a thread, such as systemready.cgi)."""
    failed = []
    for name, check in CHECKS.items():
        try:
            if not check():
                failed.append(name)
        except Exception:  # any failure means "not healthy"
            failed.append(name)
    return failed


async def _check(check: object) -> bool:
    try:
        if check is _database:
            return await sync_to_async(_database)()
        return await asyncio.to_thread(check)
    except Exception:  # any failure means "not healthy", never a 500
        return False


@public
async def healthz(request: HttpRequest) -> JsonResponse:
    checks = [asyncio.ensure_future(_check(check)) for check in CHECKS.values()]
    # Each check bounds its own waits; this bounds the answer, whatever hangs.
    done, late = await asyncio.wait(checks, timeout=ANSWER_SECONDS)
    for check in late:
        check.cancel()
    results = [check in done and check.result() for check in checks]
    body: dict[str, object] = dict(zip(CHECKS, results, strict=True))
    failed = [name for name in CHECKS if not body[name]]
    if failed:
        body["error"] = "not answering: " + ", ".join(failed)
    return JsonResponse(body, status=503 if failed else 200)
