from django.urls import path

from maintenance.consumers import FirmwareConsumer

websocket_urlpatterns = [path("ws/maintenance/firmware/", FirmwareConsumer.as_asgi())]
