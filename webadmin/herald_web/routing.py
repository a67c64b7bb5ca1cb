"""Websocket routes: every Herald app's routing.websocket_urlpatterns."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.urls import URLPattern


def websocket_urlpatterns() -> list[URLPattern]:
    patterns: list[URLPattern] = []
    for app in settings.HERALD_APPS:
        if find_spec(f"{app}.routing") is not None:
            patterns.extend(import_module(f"{app}.routing").websocket_urlpatterns)
    return patterns
