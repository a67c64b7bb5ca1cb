"""baresip as the SIP service's child process: started on a configuration
directory, ready once it says so, its output in the service's log, stopped
with the service (and with it when the service dies: it would hold the SIP
port for the next one)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import shutil
import signal
import socket
from collections import deque
from pathlib import Path

from herald.files import replace_atomically

log = logging.getLogger(__name__)

READY = b"baresip is ready."
READY_SECONDS = 10.0
STOP_SECONDS = 5.0
KEEP_LINES = 20  # of its output, for the reason it did not start
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before baresip starts: SIGTERM to it when the service dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class StartFailed(Exception):
    """baresip did not start; the message says why, for the status."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now, for the control channel."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Baresip:
    def __init__(self, process: asyncio.subprocess.Process, output: asyncio.Task[None]) -> None:
        self.process, self.output = process, output

    @classmethod
    async def start(cls, directory: Path, files: dict[str, str]) -> Baresip:
        """baresip on `directory`, holding `files` (name: text); returns once ready."""
        program = shutil.which("baresip")
        if program is None:
            raise StartFailed("baresip is not installed (Debian package baresip-core)")
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            replace_atomically(directory / name, text.encode())
        process = await asyncio.create_subprocess_exec(
            program, "-f", str(directory), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_parent)
        ready = asyncio.get_running_loop().create_future()
        output = asyncio.create_task(_relay(process, ready), name="baresip output")
        with contextlib.suppress(TimeoutError, StartFailed):
            await asyncio.wait_for(asyncio.shield(ready), READY_SECONDS)
        started = cls(process, output)
        if not ready.done() or ready.exception() is not None:
            said = ready.exception() if ready.done() else None
            await started.stop()
            raise StartFailed(f"baresip did not start: {said or 'it was not ready in time'}")
        return started

    async def wait(self) -> int:
        """Its exit status, once it has ended."""
        return await self.process.wait()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), STOP_SECONDS)
            except TimeoutError:
                log.warning("baresip did not stop within %g s: killed", STOP_SECONDS)
                self.process.kill()
                await self.process.wait()
        self.output.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.output


async def _relay(process: asyncio.subprocess.Process, ready: asyncio.Future[bool]) -> None:
    """Its output, line by line, into the log; `ready` set when it says so,
    or failed with its last lines when it ends first. Its per-second call
    statistics (lines ended by a carriage return) are left out."""
    assert process.stdout is not None
    last: deque[str] = deque(maxlen=KEEP_LINES)
    while line := await process.stdout.readline():
        if READY in line and not ready.done():
            ready.set_result(True)
        text = line.split(b"\r")[-1].decode(errors="replace").strip()
        text = text.replace("\x1b[31m", "").replace("\x1b[;m", "")
        if text:
            last.append(text)
            log.info("baresip: %s", text)
    if not ready.done():
        ready.set_exception(StartFailed(" / ".join(list(last)[-3:]) or "no output"))
