"""The system log as the web admin shows it (View the system log,
systemlog.cgi, the server report): herald-system reads it with the journal,
which the web admin's user may not read; when herald-system does not answer,
Herald's own log file, after a line that says the journal's are missing."""

from __future__ import annotations

from django.conf import settings

from herald.system import contract, logs
from herald_web.device import call


def read(text: str = "") -> str:
    """The system log, only the lines containing `text` if given (at most
    contract.SYSTEM_LOG_TEXT_CHARS characters: the caller checks)."""
    answer = call(contract.SERVICE, contract.SYSTEM_LOG, text=text)
    if answer["ok"]:
        return answer["log"]
    return (logs.without_journal(answer["message"])
            + logs.read(settings.ENVIRONMENT, logs.SYSTEM, text))
