"""The access log: every failed attempt to access the device, one line each."""

from __future__ import annotations

import logging

from django.http import HttpRequest

from herald.system.logs import ACCESS_LOGGER

access_log = logging.getLogger(ACCESS_LOGGER)


def record_failure(request: HttpRequest, username: str, reason: str) -> None:
    name = "".join(c for c in username if c.isprintable())[:64] or "-"
    access_log.warning(
        "denied %s %s %s for %s from %s: %s",
        request.scheme.upper(), request.method, request.path[:200], name,
        request.META.get("REMOTE_ADDR", "?"), reason,
    )
