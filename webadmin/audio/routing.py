from django.urls import path

from audio.consumers import LevelConsumer

websocket_urlpatterns = [path("audio/ws/levels/", LevelConsumer.as_asgi())]
