"""Security headers and cookie flags on every reply Django makes.

- Over HTTPS the session and CSRF cookies are marked Secure, so a browser
  never sends them over plain HTTP (which the device may also serve).
- A Content-Security-Policy allows scripts, styles, images, media and
  connections from the device itself only (websockets included), and no
  framing: an injected script or style has nowhere to come from.

Strict-Transport-Security is not sent: the device's certificate is its own
(self-signed until an administrator installs one), and a browser that got
HSTS from it refuses to let anyone past the certificate warning, locking the
administrators out; HTTP also stays a choice the manual offers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: HttpResponseBase, secure: bool) -> HttpResponseBase:
    """The headers above (those the reply does not set itself), Secure cookies over HTTPS."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if secure:
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            if name in response.cookies:
                response.cookies[name]["secure"] = True
    return response


@sync_and_async_middleware
def security_headers(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    """Middleware: add_security_headers on each reply, in whichever mode the
    stack runs (the ASGI server's requests stay async)."""
    if iscoroutinefunction(get_response):
        async def middleware(request: HttpRequest) -> HttpResponseBase:
            return add_security_headers(await get_response(request), request.is_secure())
    else:
        def middleware(request: HttpRequest) -> HttpResponseBase:
            return add_security_headers(get_response(request), request.is_secure())
    return middleware
