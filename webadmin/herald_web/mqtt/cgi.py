"""The VAPIX MQTT endpoints (admin only: they hold the broker's credentials)."""

from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald_web.mqtt import client_api, event_api
from herald_web.vapix.discovery import Api, offer
from herald_web.vapix.registry import cgi

offer(Api("mqtt-client", "MQTT Client", "1.0"))
offer(Api("event-mqtt-bridge", "MQTT Event Bridge", "1.1"))


@cgi("mqtt/client.cgi", Level.ADMIN)
def client(request: HttpRequest) -> HttpResponse:
    return client_api.api.handle(request)


@cgi("mqtt/event.cgi", Level.ADMIN)
def event(request: HttpRequest) -> HttpResponse:
    return event_api.api.handle(request)
