"""Is the firmware up? The checks behind marking a slot good.

A slot is good when a person could use the speaker and upgrade it again:
the web app answers, and through it the database, Redis, a Celery worker,
herald-core (the audio engine with its sound card open) and the update
service. Each check says what failed in words that go
into the upgrade result and the system log.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

Check = Callable[[], "CheckResult"]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""


def web_check(url: str) -> Check:
    """herald-web's /healthz: 200 when Django, its database, Redis and a worker answer."""

    def check() -> CheckResult:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read() or b"{}")
            except ValueError:
                body = {}
            failing = sorted(k for k, v in body.items() if v is False)
            return CheckResult("web", False, f"web app unhealthy: {', '.join(failing) or exc}")
        except OSError as exc:
            return CheckResult("web", False, f"web app does not answer: {exc}")
        return CheckResult("web", True)

    return check


def run_checks(checks: list[Check]) -> list[CheckResult]:
    return [check() for check in checks]


def summary(results: list[CheckResult]) -> str:
    failed = [r.detail or r.name for r in results if not r.ok]
    return "; ".join(failed) if failed else "all firmware services answer"
