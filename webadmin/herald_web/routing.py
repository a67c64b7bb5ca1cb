"""Websocket routes: the live pages' routing.websocket_urlpatterns."""

from django.urls import URLPattern

from herald_web.audio import routing as audio
from herald_web.events import routing as events
from herald_web.maintenance import routing as maintenance
from herald_web.status import routing as status
from herald_web.system import routing as system


def websocket_urlpatterns() -> list[URLPattern]:
    return [*status.websocket_urlpatterns, *audio.websocket_urlpatterns,
            *maintenance.websocket_urlpatterns, *events.websocket_urlpatterns,
            *system.websocket_urlpatterns]
