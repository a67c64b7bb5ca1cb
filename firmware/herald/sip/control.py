"""baresip's control channel (its ctrl_tcp module): JSON messages framed as
netstrings ("<length>:<bytes>,") over TCP. Commands carry a token that their
response echoes; events come unasked, between responses."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

MAX_MESSAGE = 64 * 1024  # bytes: baresip's events are far smaller
ANSWER_SECONDS = 5.0


class ControlError(Exception):
    """The control channel broke, or baresip refused a command."""


def netstring(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"%d:%s," % (len(body), body)


async def read_netstring(reader: asyncio.StreamReader) -> dict[str, Any]:
    """The next message; ControlError when the stream ends or is not netstrings."""
    try:
        length = await reader.readuntil(b":")
        if not length[:-1].isdigit() or int(length[:-1]) > MAX_MESSAGE:
            raise ControlError(f"not a netstring length: {length[:20]!r}")
        body = await reader.readexactly(int(length[:-1]) + 1)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as exc:
        raise ControlError(f"the control channel closed: {exc}") from exc
    if body[-1:] != b",":
        raise ControlError("a netstring without its closing comma")
    try:
        message = json.loads(body[:-1])
    except ValueError as exc:
        raise ControlError(f"not JSON: {body[:80]!r}") from exc
    if not isinstance(message, dict):
        raise ControlError(f"not a JSON object: {body[:80]!r}")
    return message


class Control:
    """One connection to ctrl_tcp: `command()` sends and waits for its
    response; every event goes to `on_event` in the order baresip sent it
    (a plain function: a command awaited there would wait for itself)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 on_event: Callable[[dict[str, Any]], None]) -> None:
        self.reader, self.writer, self.on_event = reader, writer, on_event
        self.tokens = (str(n) for n in itertools.count(1))
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reading = asyncio.create_task(self._read(), name="baresip control")

    @classmethod
    async def connect(cls, port: int, on_event: Callable[[dict[str, Any]], None]
                      ) -> Control:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, on_event)

    @property
    def closed(self) -> asyncio.Task[None]:
        """Done when the connection ends (baresip exited); its exception says why."""
        return self.reading

    async def command(self, name: str, params: str = "") -> str:
        """Run a command of baresip's (its menu's long names: dial, accept,
        hangup); its answer text, or ControlError with baresip's reason."""
        token = next(self.tokens)
        answer = asyncio.get_running_loop().create_future()
        self.waiting[token] = answer
        try:
            self.writer.write(netstring({"command": name, "params": params, "token": token}))
            await self.writer.drain()
            response = await asyncio.wait_for(asyncio.shield(answer), ANSWER_SECONDS)
        except (ConnectionError, TimeoutError) as exc:
            raise ControlError(f"baresip did not answer {name}: {exc or 'timed out'}") from exc
        finally:
            self.waiting.pop(token, None)
        data = str(response.get("data", "")).strip()
        if not response.get("ok"):
            raise ControlError(f"baresip refused {name}: {data}")
        return data

    async def _read(self) -> None:
        try:
            while True:
                message = await read_netstring(self.reader)
                if message.get("response"):
                    answer = self.waiting.get(str(message.get("token")))
                    if answer is not None and not answer.done():
                        answer.set_result(message)
                elif message.get("event"):
                    self.on_event(message)
        finally:
            for answer in self.waiting.values():
                if not answer.done():
                    answer.set_exception(ControlError("the control channel closed"))

    async def close(self) -> None:
        self.reading.cancel()
        with contextlib.suppress(asyncio.CancelledError, ControlError):
            await self.reading
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
