"""The Maintenance page: Restart, Restore, Factory default."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts.access import page
from herald.access import Level
from maintenance import tasks

CONTEXT = {"section": "maintenance"}


@page(Level.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "maintenance/index.html", CONTEXT)


def _restarting(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "maintenance/restarting.html", {**CONTEXT, "what": what})


@page(Level.ADMIN)
@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    tasks.schedule_restart(request.user.username)
    return _restarting(request, "The device is restarting.")


@page(Level.ADMIN)
@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    tasks.schedule_reset(False, request.user.username)
    return _restarting(request, "Most settings are going back to factory default; "
                                "the network settings stay.")


@page(Level.ADMIN)
@require_POST
def factory_default(request: HttpRequest) -> HttpResponse:
    tasks.schedule_reset(True, request.user.username)
    return _restarting(request, "All settings are going back to factory default, "
                                "the IP address too.")
