from django.urls import path

from herald_web.maintenance import views

app_name = "maintenance"
urlpatterns = [
    path("maintenance/", views.index, name="index"),
    path("maintenance/restart/", views.restart, name="restart"),
    path("maintenance/restore/", views.restore, name="restore"),
    path("maintenance/factory-default/", views.factory_default, name="factory-default"),
    path("maintenance/firmware/upload/", views.upload_start, name="firmware-upload"),
    path("maintenance/firmware/upload/<str:token>/", views.upload_piece,
         name="firmware-upload-piece"),
    path("maintenance/firmware/upgrade/", views.upgrade, name="firmware-upgrade"),
    path("maintenance/firmware/confirm/", views.confirm, name="firmware-confirm"),
    path("maintenance/firmware/rollback/", views.rollback, name="firmware-rollback"),
]
