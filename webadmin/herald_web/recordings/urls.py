from django.urls import path

from herald_web.recordings import views

app_name = "recordings"
urlpatterns = [
    path("recordings/", views.index, name="index"),
    path("recordings/start/", views.start, name="start"),
    path("recordings/stop/", views.stop, name="stop"),
    path("recordings/<pk>/", views.download, name="download"),
    path("recordings/<pk>/delete/", views.delete, name="delete"),
]
