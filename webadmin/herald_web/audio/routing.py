from django.urls import path

from herald_web.audio.consumers import LevelConsumer

websocket_urlpatterns = [path("audio/ws/levels/", LevelConsumer.as_asgi())]
