from django.urls import path

from maintenance import views

app_name = "maintenance"
urlpatterns = [
    path("maintenance/", views.index, name="index"),
    path("maintenance/restart/", views.restart, name="restart"),
    path("maintenance/restore/", views.restore, name="restore"),
    path("maintenance/factory-default/", views.factory_default, name="factory-default"),
]
