from django.urls import path

from herald_web.detectors import views

app_name = "detectors"
urlpatterns = [
    path("system/detectors/", views.index, name="index"),
    path("system/detectors/audio/", views.save, name="save"),
]
