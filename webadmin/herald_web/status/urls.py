from django.urls import path

from herald_web.status import views

app_name = "status"
urlpatterns = [path("status/", views.index, name="index"),
               path("status/locate/", views.locate, name="locate")]
