"""VAPIX endpoints from every app, behind one authentication gate.

An app declares an endpoint in its `cgi.py`:

    @cgi("mediaclip.cgi", Level.OPERATOR)
    def mediaclip(request): ...

The path is under /axis-cgi/ unless it starts with "/" ("/vapix/call").
Before the view runs, the caller is authenticated by HTTP Digest (or Basic
over HTTPS); a caller without credentials gets a Digest challenge, a caller
below the level 403. The view finds the account in `request.user` and its
level in `request.herald_level`. CGIs take no session cookie and no CSRF
token: VAPIX clients have neither. Anonymous viewing, when on, makes a
caller without credentials a viewer, except at endpoints that play sound
out of the speaker (`needs_account`): it is for looking, not for talking.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, include, path
from django.utils.module_loading import autodiscover_modules
from django.views.decorators.csrf import csrf_exempt

from herald.access import Level
from herald_web.accounts import throttle
from herald_web.accounts.access import Access, level_of, mark, root_exists
from herald_web.accounts.audit import record_failure
from herald_web.accounts.digest import AuthFailed, authenticate, challenge

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Endpoint:
    path: str  # without the leading "/"
    view: View
    level: Level
    first_visit: bool  # open to all while the device has no root password
    methods: tuple[str, ...] = ("GET", "POST")
    needs_account: bool = False  # anonymous viewing does not reach it


_endpoints: dict[str, Endpoint] = {}


def cgi(where: str, level: Level, aliases: tuple[str, ...] = (), first_visit: bool = False,
        methods: tuple[str, ...] = ("GET", "POST"),
        needs_account: bool = False) -> Callable[[View], View]:
    """Serve the decorated view at `where` (and `aliases`) for callers at
    `level` using `methods` (others get 405, after authentication); with
    `first_visit`, for everyone until the root password is set (pwdgrp.cgi
    creates root that way); with `needs_account`, for accounts only."""
    def decorate(view: View) -> View:
        for place in (where, *aliases):
            full = place.lstrip("/") if place.startswith("/") else f"axis-cgi/{place}"
            if full in _endpoints:
                raise ValueError(f"VAPIX endpoint /{full} registered twice")
            _endpoints[full] = Endpoint(full, view, level, first_visit, methods, needs_account)
        return view
    return decorate


def discover() -> None:
    """Import every app's cgi.py, which registers its endpoints here (and the
    streaming ones in vapix.streaming). Called by what serves them, the URL
    conf and the ASGI app, not as Django starts: the Celery worker, which
    serves none, then does not import them all."""
    autodiscover_modules("cgi")


def serves(path: str) -> bool:
    """Whether `path` (as requested, from its leading "/") is a CGI's."""
    return path[1:] in _endpoints


def unauthorized(stale: bool = False) -> HttpResponse:
    response = HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = challenge(stale)
    return response


def forbidden() -> HttpResponse:
    return HttpResponse("403 Forbidden\n", status=403, content_type="text/plain")


def admit(request: HttpRequest, endpoint: Endpoint) -> HttpResponse | None:
    """Authenticate the caller; None to let it through, else the refusal."""
    try:
        credentials, failure = authenticate(request), None
    except AuthFailed as refused:
        credentials, failure = None, refused
    once = credentials.once if credentials else None
    blocked, first_use = throttle.blocked_and_claimed(request, once)
    if blocked:
        return throttle.refusal(blocked)
    if once is not None and credentials is not None and not first_use:
        credentials, failure = None, once.refusal(credentials.account.username)
    if failure is not None:
        if not failure.stale:
            record_failure(request, failure.username, str(failure))
            throttle.count_failure(request)
        return unauthorized(failure.stale)
    request.user = credentials.account if credentials else AnonymousUser()
    level = level_of(request.user)
    if endpoint.needs_account and credentials is None:
        level = Level.ANONYMOUS
    if endpoint.first_visit and not root_exists():
        level = Level.ROOT
    if level < endpoint.level:
        if credentials is None:
            return unauthorized()
        record_failure(request, request.user.username, "account lacks the privileges")
        return forbidden()
    request.herald_level = level
    if request.method not in endpoint.methods:
        return HttpResponseNotAllowed(endpoint.methods)
    return None


def _gate(endpoint: Endpoint) -> View:
    if inspect.iscoroutinefunction(endpoint.view):
        @csrf_exempt
        async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = await sync_to_async(admit)(request, endpoint)
            return refusal or await endpoint.view(request, *args, **kwargs)
        return mark(async_view, Access(endpoint.level, "cgi"))

    @csrf_exempt
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return admit(request, endpoint) or endpoint.view(request, *args, **kwargs)
    return mark(view, Access(endpoint.level, "cgi"))


def urlpatterns() -> list[URLPattern | URLResolver]:
    """The endpoints, under one pattern per first path segment ("axis-cgi/"),
    so that resolving a VAPIX call tries the pages' patterns once each, not
    every endpoint's."""
    by_prefix: dict[str, list[URLPattern]] = {}
    for endpoint in sorted(_endpoints.values(), key=lambda e: e.path):
        prefix, _, rest = endpoint.path.partition("/")
        by_prefix.setdefault(f"{prefix}/" if rest else "", []).append(
            path(rest or prefix, _gate(endpoint), name=endpoint.path))
    return [path(prefix, include(patterns)) for prefix, patterns in by_prefix.items()]
