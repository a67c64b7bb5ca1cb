"""Who may do what: the one place pages, JSON APIs and websockets check roles.

Decorate every view with `page(level)`, `api(level)` or `public`; give every
websocket consumer `AccessConsumer` as its base. Each marks the view with an
`Access`, which the role-matrix test reads to check every URL the app serves
(VAPIX CGIs get theirs from `vapix.registry.cgi`). Levels are
herald.access.Level: VIEWER, OPERATOR, ADMIN; an anonymous visitor counts as a
viewer while anonymous viewing is allowed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.models import ROOT, Account
from herald.access import Level
from herald_web.device import params

ANONYMOUS_GROUP = "account.anonymous"


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


def apply_params(changes: dict[str, str], level: Level) -> dict[str, str]:
    """Change parameters from the web; access changes reach open websockets."""
    changed = params().update(changes, level)
    if "System.AnonymousViewing" in changed:
        account_changed("anonymous")
    return changed


def account_changed(account_id: int | str) -> None:
    """Tell open websockets of an account (or "anonymous") to check their rights."""
    async_to_sync(get_channel_layer().group_send)(
        f"account.{account_id}", {"type": "account.changed"}
    )


def _same_origin(scope: dict[str, Any]) -> bool:
    """Browsers send Origin on websocket upgrades: it must name this host, so
    another site cannot open a websocket with the visitor's session."""
    headers = dict(scope.get("headers", []))
    origin, host = headers.get(b"origin"), headers.get(b"host")
    if origin is None:
        return True
    return host is not None and urlsplit(origin.decode()).netloc == host.decode()


class AccessConsumer(AsyncJsonWebsocketConsumer):
    """Base of every websocket consumer: set `access_level`, override `joined`
    (after the handshake) and `left`. The socket is refused (HTTP 403) below
    the level and closed when the account loses the level or is removed."""

    access_level: Level = Level.ADMIN
    _account_group: str | None = None

    async def connect(self) -> None:
        level = await database_sync_to_async(self._current_level)()
        if not _same_origin(self.scope) or level < self.access_level:
            await self.close(code=4403)
            return
        user = self.scope["user"]
        self._account_group = f"account.{user.pk}" if user.is_authenticated else ANONYMOUS_GROUP
        await self.channel_layer.group_add(self._account_group, self.channel_name)
        await self.accept()
        await self.joined()

    def _current_level(self) -> Level:
        user = self.scope["user"]
        if user.is_authenticated:
            user = Account.objects.filter(pk=user.pk).first()
            if user is None:
                return Level.ANONYMOUS
        return level_of(user)

    async def account_changed(self, event: dict[str, Any]) -> None:
        if await database_sync_to_async(self._current_level)() < self.access_level:
            await self.close(code=4403)

    async def disconnect(self, code: int) -> None:
        if self._account_group is not None:
            await self.channel_layer.group_discard(self._account_group, self.channel_name)
            await self.left()

    async def joined(self) -> None:
        """Called once the socket is open."""

    async def left(self) -> None:
        """Called when an open socket closes."""


def consumer_access(consumer: type[AccessConsumer]) -> Access:
    return Access(consumer.access_level, "websocket")
