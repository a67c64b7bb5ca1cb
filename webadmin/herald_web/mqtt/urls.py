from django.urls import path

from herald_web.mqtt import page

app_name = "mqtt"
urlpatterns = [path("system/mqtt/", page.mqtt_page, name="page")]
