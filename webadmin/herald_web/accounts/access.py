"""Who may do what: the one place pages, JSON APIs and websockets check roles.

Decorate every view with `page(level)`, `api(level)` or `public`; every
websocket consumer has `sockets.AccessConsumer` as its base. Each marks the view with an
`Access`, which the role-matrix test reads to check every URL the app serves
(VAPIX CGIs get theirs from `vapix.registry.cgi`). Levels are
herald.access.Level: VIEWER, OPERATOR, ADMIN; an anonymous visitor counts as a
viewer while anonymous viewing is allowed (but for the CGIs that play sound:
vapix.registry).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald_web.accounts.models import ROOT, Account
from herald_web.device import params


@dataclass(frozen=True)
class Access:
    """What a view needs: `level`, and how it says no (`kind`)."""

    level: Level
    kind: str  # "page", "api", "cgi", "websocket" or "public"


def access_of(view: Any) -> Access | None:
    return getattr(view, "herald_access", None)


def mark(view: Any, access: Access) -> Any:
    view.herald_access = access
    return view


def anonymous_viewing() -> bool:
    return params().get("System.AnonymousViewing") == "yes"


def root_exists() -> bool:
    return Account.objects.filter(username=ROOT).exists()


def level_of(user: Any) -> Level:
    if user.is_authenticated:
        return user.level
    return Level.VIEWER if anonymous_viewing() else Level.ANONYMOUS


def _refusal(request: HttpRequest, level: Level, kind: str) -> HttpResponse | None:
    """None if the request may go on, else the answer that turns it away."""
    if not root_exists():
        if kind == "api":
            return JsonResponse({"error": "the root password is not set"}, status=403)
        return redirect("accounts:setup")
    if level_of(request.user) >= level:
        return None
    if kind == "api":
        if request.user.is_authenticated:
            return JsonResponse({"error": "your account may not do this"}, status=403)
        return JsonResponse({"error": "log in first"}, status=401)
    if request.user.is_authenticated:
        return render(request, "ui/forbidden.html", status=403)
    return redirect_to_login(request.get_full_path())


def _guard(level: Level, kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(view):
            @wraps(view)
            async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                refusal = await sync_to_async(_refusal)(request, level, kind)
                return refusal or await view(request, *args, **kwargs)
            return mark(async_wrapper, Access(level, kind))

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            return _refusal(request, level, kind) or view(request, *args, **kwargs)
        return mark(wrapper, Access(level, kind))
    return decorate


def page(level: Level) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A web page: visitors without the level are sent to log in (or shown
    'not allowed' if logged in); before the root password exists, to setup."""
    return _guard(level, "page")


def api(level: Level) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A JSON endpoint of the web UI: 401 or 403 with a JSON reason."""
    return _guard(level, "api")


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Open to everyone (login, first-visit setup)."""
    return mark(view, Access(Level.ANONYMOUS, "public"))
