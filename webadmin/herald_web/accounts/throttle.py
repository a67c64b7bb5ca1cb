"""Prevent brute-force attacks, as the manual's System > Security has it:
with Blocking on, an address whose failed logins (a wrong Digest or Basic
password, a wrong password at the login page) exceed the allowed count on one
page within the page interval, or on the device as a whole within the device
interval, is blocked for the blocking period: every login it tries is then
refused at once with 429 and the time left, right password or not.

Counts and blocks live in Redis, shared by the web admin's processes, and
expire by themselves; the parameters are `System.PreventDoSAttack.*`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from herald.system.logs import ACCESS_LOGGER
from herald_web.accounts.digest import Once
from herald_web.device import bus, params

PREFIX = "herald:throttle:"
access_log = logging.getLogger(ACCESS_LOGGER)


@dataclass(frozen=True)
class Policy:
    active: bool
    blocking_seconds: int
    page_count: int
    page_seconds: int
    site_count: int
    site_seconds: int


def policy() -> Policy:
    values = params().snapshot()

    def number(name: str) -> int:
        return int(values.get(f"System.PreventDoSAttack.{name}"))
    return Policy(values.get("System.PreventDoSAttack.ActivatePasswordThrottling") == "yes",
                  number("DoSBlockingPeriod"), number("DoSPageCount"),
                  number("DoSPageInterval"), number("DoSSiteCount"), number("DoSSiteInterval"))


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "?")


def blocked_for(request: HttpRequest) -> int:
    """Seconds the caller's address stays blocked (0: not blocked)."""
    return blocked_and_claimed(request, None)[0]


def blocked_and_claimed(request: HttpRequest, once: Once | None) -> tuple[int, bool]:
    """`blocked_for`, and whether this request is the first to claim its Digest
    replay-guard key (True when it has none), in one round trip to Redis."""
    with bus().redis.pipeline(transaction=False) as pipe:
        pipe.ttl(f"{PREFIX}blocked:{_address(request)}")
        if once is not None:
            pipe.set(once.key, 1, nx=True, ex=Once.SECONDS)
        left, *claimed = pipe.execute()
    return max(int(left), 0), all(claimed)


def refusal(seconds: int) -> HttpResponse:
    response = HttpResponse(
        f"Too many failed logins from this address: blocked for {seconds} s more.\n",
        status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


def count_failure(request: HttpRequest) -> None:
    """One more failed login from the caller; block its address if that is too many."""
    rules = policy()
    if not rules.active:
        return
    address = _address(request)
    page = hashlib.sha256(request.path.encode()).hexdigest()[:16]
    windows = ((f"{PREFIX}page:{address}:{page}", rules.page_seconds, rules.page_count, "page"),
               (f"{PREFIX}site:{address}", rules.site_seconds, rules.site_count, "device"))
    redis = bus().redis
    with redis.pipeline() as pipe:
        for key, seconds, _, _ in windows:
            pipe.incr(key)
            pipe.expire(key, seconds, nx=True)
        counts = pipe.execute()[::2]
    for (_, seconds, allowed, level), count in zip(windows, counts, strict=True):
        if count > allowed:
            redis.set(f"{PREFIX}blocked:{address}", 1, ex=rules.blocking_seconds)
            access_log.warning("blocked %s for %d s: %d failed logins within %d s on the %s",
                               address, rules.blocking_seconds, count, seconds, level)
            return
