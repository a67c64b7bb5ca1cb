from django.urls import path

from herald_web.maintenance.consumers import FirmwareConsumer

websocket_urlpatterns = [path("ws/maintenance/firmware/", FirmwareConsumer.as_asgi())]
