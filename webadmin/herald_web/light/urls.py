from django.urls import path

from herald_web.light import views

app_name = "light"
urlpatterns = [
    path("light/", views.index, name="index"),
    path("light/save/", views.save, name="save"),
    path("light/remove/", views.remove, name="remove"),
    path("light/start/", views.start, name="start"),
    path("light/stop/", views.stop, name="stop"),
    path("light/export/", views.export, name="export"),
    path("light/import/", views.import_profiles, name="import"),
]
