from django.urls import path

from herald_web.events import stream

websocket_urlpatterns = [path(stream.PATH, stream.application)]
