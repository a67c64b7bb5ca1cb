"""What every Herald daemon does around its services: serve until systemd
(SIGTERM) or a person (Ctrl-C) stops it, and end with the error if serving
fails, so systemd restarts the daemon."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from typing import Any


async def serve_until_stopped(serving: Coroutine[Any, Any, None], name: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    task = asyncio.create_task(serving, name=name)
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stopped):
        pending.cancel()
    await asyncio.gather(task, stopped, return_exceptions=True)
    if task in done and not task.cancelled() and task.exception() is not None:
        raise task.exception()
