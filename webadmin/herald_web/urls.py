"""All URLs: each Herald app's urls.py, then the VAPIX endpoints."""

from importlib.util import find_spec

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from accounts.access import public
from herald_web.health import healthz
from vapix import registry


@public
def home(request: HttpRequest) -> HttpResponse:
    return redirect("status:index")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    *(path("", include(f"{app}.urls")) for app in settings.HERALD_APPS
      if find_spec(f"{app}.urls") is not None),
    *registry.urlpatterns(),
]
