"""Parameter writes from the web (pages, VAPIX): each change goes to the
system log with who made it (the names, not the values: some are secrets); a
change of who may view anonymously reaches the open websockets at once."""

from __future__ import annotations

import logging

from herald.access import Level
from herald_web.accounts.sockets import account_changed
from herald_web.device import params

log = logging.getLogger(__name__)


def apply_params(changes: dict[str, str], level: Level, by: str) -> dict[str, str]:
    """Change parameters from the web; access changes reach open websockets."""
    changed = params().update(changes, level)
    if changed:
        log.info("settings changed by %s: %s", by or "anonymous", ", ".join(sorted(changed)))
    if "System.AnonymousViewing" in changed:
        account_changed("anonymous")
    return changed
