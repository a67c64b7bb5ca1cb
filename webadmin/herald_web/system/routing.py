from django.urls import path

from herald_web.system.consumers import TraceConsumer

websocket_urlpatterns = [path("ws/system/logs/trace/", TraceConsumer.as_asgi())]
