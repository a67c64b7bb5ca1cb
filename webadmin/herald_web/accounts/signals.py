"""Failed logins on the web page go to the access log and count towards a
block of the address (throttle.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from herald_web.accounts import throttle
from herald_web.accounts.audit import record_failure


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                 **kwargs: Any) -> None:
    if request is not None:
        name = str(credentials.get("username", ""))[:64]
        record_failure(request, name, "wrong password at login")
        throttle.count_failure(request)
