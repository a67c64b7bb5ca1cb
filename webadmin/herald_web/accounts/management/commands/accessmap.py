"""`manage.py accessmap`: every URL the web app serves and who may use it,
as JSON lines (path, level, kind); a URL whose view declares no access shows
"kind": null. Used to audit the device and by the role-matrix test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand
from django.urls import URLPattern, URLResolver, get_resolver

from herald_web.accounts.access import access_of
from herald_web.accounts.sockets import consumer_access
from herald_web.routing import websocket_urlpatterns
from herald_web.vapix.streaming import stream_paths


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + route, pattern.callback


class Command(BaseCommand):
    help = "List every URL the web app serves with the access it requires."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = []
        for path, view in _walk(get_resolver().url_patterns):
            access = access_of(view)
            rows.append({"path": path, "level": access and int(access.level),
                         "kind": access and access.kind})
        for path, access in stream_paths().items():
            rows.append({"path": path, "level": int(access.level), "kind": access.kind})
        for pattern in websocket_urlpatterns():
            consumer = getattr(pattern.callback, "consumer_class", None)
            access = consumer_access(consumer) if consumer else None
            rows.append({"path": "/" + str(pattern.pattern), "level": access and int(access.level),
                         "kind": access and access.kind})
        for row in rows:
            self.stdout.write(json.dumps(row))
