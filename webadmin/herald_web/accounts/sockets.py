"""Websockets and the rights behind them: the consumer base that checks the
level when a socket opens and again whenever the account's rights change."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from herald.access import Level
from herald.bus import AsyncBus, Subscription
from herald_web.accounts.access import Access, level_of
from herald_web.accounts.models import Account


def account_group(account_id: int | str) -> str:
    """The channel group of an account's open sockets ("anonymous": nobody's)."""
    return f"account.{account_id}"


def account_changed(account_id: int | str) -> None:
    """Tell open websockets of an account (or "anonymous") to check their rights."""
    async_to_sync(get_channel_layer().group_send)(
        account_group(account_id), {"type": "account.changed"}
    )


def _same_origin(scope: dict[str, Any]) -> bool:
    """Browsers send Origin on websocket upgrades: it must name this host, so
    another site cannot open a websocket with the visitor's session."""
    headers = dict(scope.get("headers", []))
    origin, host = headers.get(b"origin"), headers.get(b"host")
    if origin is None:
        return True
    return host is not None and urlsplit(origin.decode()).netloc == host.decode()


class AccessConsumer(AsyncJsonWebsocketConsumer):
    """Base of every websocket consumer: set `access_level`, override `joined`
    (after the handshake) and `left`. The socket is refused (HTTP 403) below
    the level and closed when the account loses the level or is removed."""

    access_level: Level = Level.ADMIN
    _account_group: str | None = None

    async def connect(self) -> None:
        level = await database_sync_to_async(self._current_level)()
        if not _same_origin(self.scope) or level < self.access_level:
            await self.close(code=4403)
            return
        user = self.scope["user"]
        self._account_group = account_group(user.pk if user.is_authenticated else "anonymous")
        await self.channel_layer.group_add(self._account_group, self.channel_name)
        await self.accept()
        await self.joined()

    def _current_level(self) -> Level:
        user = self.scope["user"]
        if user.is_authenticated:
            user = Account.objects.filter(pk=user.pk).first()
            if user is None:
                return Level.ANONYMOUS
        return level_of(user)

    async def account_changed(self, event: dict[str, Any]) -> None:
        if await database_sync_to_async(self._current_level)() < self.access_level:
            await self.close(code=4403)

    async def disconnect(self, code: int) -> None:
        if self._account_group is not None:
            await self.channel_layer.group_discard(self._account_group, self.channel_name)
            await self.left()

    async def joined(self) -> None:
        """Called once the socket is open."""

    async def left(self) -> None:
        """Called when an open socket closes."""


class BusConsumer(AccessConsumer):
    """A websocket that follows the bus: in `joined`, `follow` the patterns (the
    subscription is confirmed when it returns, so a page sends what is true now
    after it and misses no change), then `run` the loops that read them;
    `left` ends the loops and lets go of the bus."""

    async def follow(self, *patterns: str) -> Subscription:
        from herald_web.device import async_bus  # a bus of the consumer's own event loop

        self.bus: AsyncBus = async_bus()
        self.events = await self.bus.subscribe(*patterns)
        self.loops: list[asyncio.Task] = []
        return self.events

    def run(self, loop: Coroutine[Any, Any, None]) -> None:
        self.loops.append(asyncio.create_task(loop))

    async def left(self) -> None:
        for loop in self.loops:
            loop.cancel()
        await asyncio.gather(*self.loops, return_exceptions=True)
        await self.events.close()
        await self.bus.close()


class StateConsumer(BusConsumer):
    """A websocket that sends what `message` says now, and again at every event
    of `patterns` (a page's live state, sent whole)."""

    patterns: tuple[str, ...] = ()

    async def message(self) -> dict[str, Any]:
        raise NotImplementedError

    async def joined(self) -> None:
        await self.follow(*self.patterns)  # before the first send: no change is missed
        await self._send()
        self.run(self._resend())

    async def _resend(self) -> None:
        async for _event in self.events:
            await self._send()

    async def _send(self) -> None:
        await self.send_json(await self.message())


def consumer_access(consumer: type[AccessConsumer]) -> Access:
    return Access(consumer.access_level, "websocket")
