"""All URLs: the VAPIX endpoints (under their own prefixes, first: clients call
them most), then each page app's urls.py."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from herald_web.accounts.access import public
from herald_web.health import healthz
from herald_web.vapix import registry

registry.discover()


@public
def home(request: HttpRequest) -> HttpResponse:
    return redirect("status:index")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    *registry.urlpatterns(),
    *(path("", include(f"herald_web.{app}.urls"))
      for app in ("accounts", "status", "audio", "light", "recordings", "detectors", "events",
                  "system", "mqtt", "maintenance")),
]
