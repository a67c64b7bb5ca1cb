"""Parameter writes from the web (pages, VAPIX): a change of who may view
anonymously reaches the open websockets at once."""

from __future__ import annotations

from herald.access import Level
from herald_web.accounts.sockets import account_changed
from herald_web.device import params


def apply_params(changes: dict[str, str], level: Level) -> dict[str, str]:
    """Change parameters from the web; access changes reach open websockets."""
    changed = params().update(changes, level)
    if "System.AnonymousViewing" in changed:
        account_changed("anonymous")
    return changed
