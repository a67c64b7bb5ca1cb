"""Following parameter changes on the bus: a service that applies settings
does it again after each stored change that touches one of them (a name
changed or removed), in the order the changes came."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from herald.bus import Event, Subscription


def changed_names(event: Event) -> list[str]:
    """The parameters a CHANGED event is about: changed, then removed."""
    return [*event.data.get("changed", {}), *event.data.get("removed", [])]


async def apply_on_changes(changes: Subscription, concerns: Callable[[str], bool],
                           apply: Callable[[], Awaitable[None]], first: bool = False) -> None:
    """Await `apply` (at once too when `first`), then after every change in
    `changes` (a subscription to params.CHANGED) of a name `concerns` holds;
    the subscription is closed when this ends (cancelled with its service)."""
    try:
        if first:
            await apply()
        async for event in changes:
            if any(concerns(name) for name in changed_names(event)):
                await apply()
    finally:
        await changes.close()
