"""GET /healthz for the update health gate and for monitoring: 200 with
{"database": true, "redis": true, "worker": true, "core": true} when Django
can query its database, Redis answers, a Celery worker answers a ping within
`WORKER_TIMEOUT` and herald-core's services answer theirs (with their devices
open) within `CORE_TIMEOUT`; 503 with the failing check false and an "error"
saying which, also while systemd restarts a service that died. Tells nothing
secret."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import HttpRequest, JsonResponse

from herald.audio import contract as audio
from herald.bus import PING
from herald_web.accounts.access import public
from herald_web.celery import app
from herald_web.device import bus

WORKER_TIMEOUT = 2.0
CORE_TIMEOUT = 2.0


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _redis() -> bool:
    return bool(bus().redis.ping())


def _worker() -> bool:
    return bool(app.control.ping(timeout=WORKER_TIMEOUT, limit=1))


def _core() -> bool:
    answer = bus().call(audio.SERVICE, PING, timeout=CORE_TIMEOUT)
    return isinstance(answer, dict) and answer.get("ok") is True


async def _check(check: object) -> bool:
    try:
        if check is _database:
            return await sync_to_async(_database)()
        return await asyncio.to_thread(check)
    except Exception:  # any failure means "not healthy", never a 500
        return False


@public
async def healthz(request: HttpRequest) -> JsonResponse:
    names = ("database", "redis", "worker", "core")
    results = await asyncio.gather(*(_check(c) for c in (_database, _redis, _worker, _core)))
    body: dict[str, object] = dict(zip(names, results, strict=True))
    failed = [name for name in names if not body[name]]
    if failed:
        body["error"] = "not answering: " + ", ".join(failed)
    return JsonResponse(body, status=503 if failed else 200)
