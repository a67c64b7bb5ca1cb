"""HTTP authentication for VAPIX clients: Digest (RFC 7616, MD5, qop=auth,
and the RFC 2069 form without qop that RTSP clients send), Basic over HTTPS.

Nonces are stateless: a timestamp signed with the device's secret, valid for
`NONCE_LIFETIME` seconds, after which the client is told the nonce is stale
and retries without asking its user again. A (nonce, cnonce, nc) triple is
accepted once, so a captured request cannot be replayed; without qop (which
has no counter) a request is accepted once per nonce, and its repetition is
told the nonce is stale, so the client asks again with a fresh one. The
replay guard keeps a fixed-size digest of each, whatever the client sends.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from herald_web.accounts.models import Account, digest_ha1, realm
from herald_web.device import params

NONCE_LIFETIME = 300
REPLAY_PREFIX = "herald:digest:seen:"
_NC = re.compile(r"[0-9a-fA-F]{8}")
MAX_CNONCE = 256
_PAIR = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]*)\s*,?')


class AuthFailed(Exception):
    """Credentials were given and are wrong; `stale` means only the nonce expired."""

    def __init__(self, reason: str, username: str = "", stale: bool = False) -> None:
        super().__init__(reason)
        self.username, self.stale = username, stale


class KnownAccounts:
    """Accounts by name, kept while nothing commits to the database: every
    VAPIX request looks one up, and the query was a fifth of the server's
    work on a param.cgi list. Any commit (a new password, a removed account)
    empties it. Only accounts that exist are kept, so guessed names cannot
    fill it; each caller gets its own copy."""

    def __init__(self) -> None:
        self._generation = -1
        self._by_name: dict[str, Account] = {}
        self._lock = threading.Lock()

    def get(self, username: str) -> Account | None:
        generation = params().generation()  # before reading: a commit in between only rereads
        with self._lock:
            if generation != self._generation:
                self._generation, self._by_name = generation, {}
            account = self._by_name.get(username)
        if account is None:
            account = Account.objects.filter(username=username).first()
            if account is None:
                return None
            with self._lock:
                if generation == self._generation:
                    self._by_name[username] = account
        return copy.copy(account)


known_accounts = KnownAccounts()


@dataclass(frozen=True)
class Once:
    """A Digest request's replay-guard key: the request counts only if it is
    the first to claim it (Redis SET NX, kept `SECONDS`)."""

    SECONDS = NONCE_LIFETIME * 2

    key: str
    without_qop: bool

    def refusal(self, username: str) -> AuthFailed:
        """What a request whose key was claimed already gets."""
        if self.without_qop:  # a client repeating itself, or a replay: either way, a new nonce
            return AuthFailed("nonce used already", username, stale=True)
        return AuthFailed("replayed request", username)


@dataclass(frozen=True)
class Credentials:
    account: Account
    scheme: str  # "digest" or "basic"
    once: Once | None = None  # Digest's replay guard, to claim


@functools.cache
def _key() -> bytes:
    """The nonces' signing key (every request checks one: worked out once)."""
    return hashlib.sha256(b"herald-digest-nonce:" + settings.SECRET_KEY.encode()).digest()


def make_nonce(now: float | None = None) -> str:
    """A fresh nonce: when it was made, a random part, and a signature of both."""
    body = f"{int(now if now is not None else time.time()):x}:{secrets.token_hex(8)}"
    mac = hmac.new(_key(), body.encode(), "sha256").hexdigest()[:32]
    return base64.urlsafe_b64encode(f"{body}:{mac}".encode()).decode().rstrip("=")


def nonce_age(nonce: str) -> float | None:
    """Seconds since this device made `nonce`, None if it did not make it."""
    try:
        raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4)).decode()
        body, mac = raw.rsplit(":", 1)
        issued = int(body.split(":")[0], 16)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    good = hmac.new(_key(), body.encode(), "sha256").hexdigest()[:32]
    return time.time() - issued if hmac.compare_digest(mac, good) else None


def challenge(stale: bool = False) -> str:
    return (
        f'Digest realm="{realm()}", nonce="{make_nonce()}", algorithm=MD5, '
        f'qop="auth", stale={"TRUE" if stale else "FALSE"}'
    )


def parse_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _PAIR.match(text, pos)
        if not match or match.end() == pos:
            raise AuthFailed("malformed Authorization header")
        value = match.group(3) if match.group(3) is not None else match.group(2)
        fields[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value) if "\\" in value else value
        pos = match.end()
    return fields


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _request_uri(request: HttpRequest) -> str:
    """The request target as the client sent and signed it (still %-encoded)."""
    scope = getattr(request, "scope", {})
    raw = scope.get("raw_path") or request.path.encode()
    query = request.META.get("QUERY_STRING", "")
    return raw.decode("latin-1") + (f"?{query}" if query else "")


def verify_digest(request: HttpRequest, text: str) -> Credentials:
    """The account the header proves, and the claim on its (nonce, cnonce,
    nc) the caller must make (`Once`) before it lets the request in."""
    fields = parse_fields(text)
    username = fields.get("username", "")
    for name in ("username", "realm", "nonce", "uri", "response"):
        if not fields.get(name):
            raise AuthFailed(f"digest without {name}", username)
    if fields["realm"] != realm():
        raise AuthFailed("wrong realm", username)
    if fields.get("algorithm", "MD5").upper() != "MD5":
        raise AuthFailed("unsupported digest algorithm", username)
    if fields["uri"] != _request_uri(request):
        raise AuthFailed("digest for another URI", username)
    age = nonce_age(fields["nonce"])
    if age is None:
        raise AuthFailed("nonce not made by this device", username)
    account = known_accounts.get(username)
    if account is None:
        raise AuthFailed("unknown account", username)
    ha2 = _md5(f"{request.method}:{fields['uri']}")
    qop = fields.get("qop")
    if qop is None:
        expected = _md5(f"{account.digest_ha1}:{fields['nonce']}:{ha2}")
    elif qop == "auth" and _NC.fullmatch(fields.get("nc", "")) and (
            0 < len(fields.get("cnonce", "")) <= MAX_CNONCE):
        expected = _md5(
            f"{account.digest_ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}"
        )
    else:
        raise AuthFailed("unsupported qop, or a malformed nc or cnonce", username)
    if not hmac.compare_digest(expected, fields["response"].lower()):
        raise AuthFailed("wrong password", username)
    if age > NONCE_LIFETIME:
        raise AuthFailed("stale nonce", username, stale=True)
    once = (fields["nonce"], fields["response"]) if qop is None else (
        fields["nonce"], fields["cnonce"], fields["nc"])
    return Credentials(account, "digest", Once(
        REPLAY_PREFIX + hashlib.sha256(":".join(once).encode()).hexdigest(), qop is None))


def verify_basic(text: str) -> Account:
    try:
        decoded = base64.b64decode(text.strip(), validate=True).decode()
        username, _, password = decoded.partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise AuthFailed("malformed Basic credentials") from None
    account = known_accounts.get(username)
    if account is None or not hmac.compare_digest(
        account.digest_ha1, digest_ha1(username, password)
    ):
        raise AuthFailed("wrong password", username)
    return account


def authenticate(request: HttpRequest) -> Credentials | None:
    """The account the request's Authorization header proves, None if it has
    none; raises AuthFailed for credentials that do not hold."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, rest = header.partition(" ")
    if not header:
        return None
    if scheme.lower() == "digest":
        return verify_digest(request, rest)
    if scheme.lower() == "basic":
        if not request.is_secure():
            raise AuthFailed("Basic authentication is only accepted over HTTPS")
        return Credentials(verify_basic(rest), "basic")
    raise AuthFailed(f"unsupported authentication scheme {scheme[:20]!r}")
