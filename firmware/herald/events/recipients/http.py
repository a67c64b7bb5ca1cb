"""HTTP and HTTPS recipients: a GET with the message as the query, or a POST
with the message as the body; Basic or Digest, whichever the server asks for,
and only when it asks."""

from __future__ import annotations

import ssl
import urllib.request
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit

from herald.events.recipients.base import (
    DeliveryFailed,
    InvalidRecipient,
    Login,
    Notification,
    check_ca,
    check_host,
    choice,
    host_port,
    tls_context,
)

GET, POST = "GET", "POST"
# A message sent by GET is a query string ("event=button&state=pressed"): its
# separators stay, and so do escapes already made; anything else is escaped.
_QUERY_SAFE = "=&;+/?:@,$!*'()~%"


@dataclass(frozen=True, kw_only=True)
class HttpRecipient(Login):
    TYPE = "http"
    TAKES_FILES = False

    url: str
    method: str = GET

    def __post_init__(self) -> None:
        super().__post_init__()
        check_url("url", self.url, self.TYPE)
        choice("method", self.method, (GET, POST))

    @property
    def address(self) -> str:
        parts = urlsplit(self.url)
        return host_port(parts.hostname or "", parts.port or (443 if self.TYPE == "https" else 80))

    def _context(self) -> ssl.SSLContext | None:
        return None

    def _send(self, notification: Notification, timeout: float) -> None:
        # No proxy from the environment (the device's recipients say whether
        # they take one) and no redirects (which would take the message, and
        # the login, somewhere not configured).
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.ProxyHandler({}), _NoRedirects(),
            urllib.request.HTTPSHandler(context=self._context())]
        if self.username:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.url, self.username, self.password)
            handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                         urllib.request.HTTPBasicAuthHandler(passwords)]
        opener = urllib.request.build_opener(*handlers)
        try:
            opener.open(self._request(notification), timeout=timeout).close()  # 2xx: delivered
        except HTTPError as error:
            error.close()
            raise DeliveryFailed(self._refusal(error)) from None
        except URLError as error:
            if isinstance(error.reason, OSError):
                raise error.reason from None
            raise DeliveryFailed(f"could not reach {self.address}: {error.reason}") from None
        except ValueError as error:  # urllib's word for a login it cannot answer
            raise DeliveryFailed(f"the server asks for a login this device does not offer "
                                 f"(it offers Basic and Digest with MD5 or SHA): {error}") from None

    def _request(self, notification: Notification) -> urllib.request.Request:
        headers = {"User-Agent": "Herald"}
        if self.method == GET:
            url, body = self.url, None
            if notification.message:
                url += ("&" if urlsplit(url).query else "?") + quote(notification.message,
                                                                     safe=_QUERY_SAFE)
        else:
            url, body = self.url, notification.message.encode()
            headers["Content-Type"] = "text/plain; charset=utf-8"
        return urllib.request.Request(url, data=body, headers=headers, method=self.method)

    def _refusal(self, error: HTTPError) -> str:
        if error.code == 401:
            if self.username:
                return "the server refused the user name or password (401)"
            return "the server asks for a login (401): enter a user name and password"
        if 300 <= error.code < 400:
            return (f"the server redirected to {error.headers.get('Location')} ({error.code}): "
                    f"enter that URL instead")
        return f"the server answered {error.code} {error.reason}"


@dataclass(frozen=True, kw_only=True)
class HttpsRecipient(HttpRecipient):
    TYPE = "https"

    validate_certificate: bool = True
    ca: str = ""  # PEM certificates to trust beside the system's

    def __post_init__(self) -> None:
        super().__post_init__()
        check_ca("ca", self.ca)

    def _context(self) -> ssl.SSLContext:
        return tls_context(self.validate_certificate, self.ca)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def check_url(field_name: str, url: str, scheme: str) -> None:
    """An absolute URL of `scheme` with a host; no login in it (it has its own
    fields, kept out of logs), no spaces, no fragment."""
    if not url:
        raise InvalidRecipient(field_name, f"required, for example "
                                           f"{scheme}://192.168.254.10/cgi-bin/notify.cgi")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidRecipient(field_name, f"{url!r} is not a URL: {error}") from None
    if parts.scheme.lower() != scheme:
        raise InvalidRecipient(field_name, f"must begin with {scheme}://")
    if parts.username is not None or parts.password is not None:
        raise InvalidRecipient(field_name, "enter the user name and password in their own "
                                           "fields, not in the URL")
    if any(c.isspace() for c in url) or parts.fragment:
        raise InvalidRecipient(field_name, f"{url!r} is not a URL (spaces or a fragment)")
    check_host(field_name, parts.hostname or "")
    if port == 0:
        raise InvalidRecipient(field_name, "the port must be from 1 to 65535")
