"""GET /healthz for the update health gate: 200 when Django, its database
and Redis answer, 503 (saying which failed) otherwise. Tells nothing secret."""

from __future__ import annotations

import redis
from accounts.access import public
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

from herald_web.device import bus


@public
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"django": True}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = True
    except DatabaseError:
        checks["database"] = False
    try:
        checks["redis"] = bool(bus().redis.ping())
    except redis.RedisError:
        checks["redis"] = False
    healthy = all(checks.values())
    return JsonResponse({"ok": healthy, **checks}, status=200 if healthy else 503)
