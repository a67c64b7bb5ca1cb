"""The update service (herald-updater): the one process that installs, rolls
back and forgets firmware while the device runs, for every client on the bus
(the Maintenance page and firmwaremanagement.cgi through the web admin). It
checks each request with the update policy, reports an install's progress as
state `contract.PROGRESS`, and publishes the firmware's state after each
change. The boot gate (gate.py) decides each boot and serves a trial's
confirmation calls; the restart after an install is the caller's, so it can
wait for the speaker to be quiet.

Calls are served concurrently: a status or a ping is answered while an
install runs, and a second install, rollback or purge meanwhile is refused
as busy rather than queued behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from herald.bus import PING, AsyncBus, ServiceUnavailable
from herald.update import contract
from herald.update.contract import BUSY, UNAVAILABLE, UpdateRefused, is_url
from herald.update.install import Updater
from herald.update.policy import upgrade_request
from herald.update.rauc import RaucError, RaucUnavailable

log = logging.getLogger(__name__)

Connect = Callable[[], Awaitable[Updater]]
TRIAL_CALL_SECONDS = 10


def source_name(bundle: str) -> str:
    """A bundle's file name, or its URL without a query (which may hold a token)."""
    if is_url(bundle):
        return urlsplit(bundle)._replace(query="", fragment="").geturl()
    return Path(bundle).name


class UpdateService:
    def __init__(self, bus: AsyncBus, connect: Connect = Updater.connect) -> None:
        self.bus, self.connect = bus, connect
        self.busy = asyncio.Lock()  # one change of the slots at a time

    @property
    def handlers(self) -> dict[str, Any]:
        return {contract.INSTALL: self.install, contract.ROLLBACK: self.rollback,
                contract.PURGE: self.purge, contract.READ_STATUS: self.status,
                contract.CHECK: self.check, PING: self.ping}

    async def ping(self) -> dict[str, Any]:
        return {"ok": True}

    async def start(self) -> None:
        """Publish the firmware's state, so pages have it after a restart of this service."""
        try:
            async with self._updater():
                pass  # done with it: the state is published
        except UpdateRefused as exc:
            log.warning("%s", exc)

    async def check(self, kind: object, confirm_minutes: object = None) -> dict[str, Any]:
        """Whether INSTALL would take this upgrade type and time to confirm."""
        try:
            request = upgrade_request(kind, confirm_minutes)
        except UpdateRefused as exc:
            return exc.answer()
        return {"ok": True, "kind": request.kind, "confirm_seconds": request.confirm_seconds}

    async def stop(self) -> None:
        """Nothing runs between calls: an install in progress ends with the process."""

    async def install(self, bundle: str, kind: str, confirm_minutes: float | None = None,
                      by: str = "") -> dict[str, Any]:
        """Check and install `bundle` into the other slot; it starts at the next restart."""
        try:
            request = upgrade_request(kind, confirm_minutes)
            async with self._changing(), self._updater() as updater, Reports(self) as reports:
                log.warning("firmware upgrade (%s) from %s requested by %s", kind,
                            source_name(bundle), by)
                pending = await updater.upgrade(bundle, request, reports.progress)
        except UpdateRefused as exc:
            log.warning("firmware upgrade refused: %s", exc)
            await self.report(contract.Progress(contract.REFUSED, 0, str(exc),
                                                 reason=exc.reason))
            return exc.answer()
        log.warning("firmware %s installed; it starts at the next restart", pending.to_version)
        await self.report(contract.Progress(
            contract.INSTALLED, 100, f"Firmware {pending.to_version} is installed.",
            version=pending.to_version))
        return {"ok": True, "version": pending.to_version, "kind": pending.kind}

    async def rollback(self, by: str = "") -> dict[str, Any]:
        """Go back to the previous firmware: at once while an Autorollback upgrade
        waits for its confirmation (the boot gate restarts), else at the next restart."""
        if (await self.bus.state()).get(contract.TRIAL):
            try:
                answer = await self.bus.call(contract.TRIAL_SERVICE, contract.REJECT,
                                             timeout=TRIAL_CALL_SECONDS)
            except ServiceUnavailable as exc:
                return UpdateRefused(f"the upgrade could not be rolled back: {exc}",
                                     BUSY).answer()
            log.warning("rollback of the upgrade on trial requested by %s", by)
            return {"ok": True, "restart": False, "version": answer["version"]}
        try:
            async with self._changing(), self._updater() as updater:
                version = await updater.rollback()
        except UpdateRefused as exc:
            return exc.answer()
        log.warning("rollback to firmware %s requested by %s", version, by)
        await self.report(contract.Progress(
            contract.INSTALLED, 100, f"Firmware {version} starts at the next restart.",
            version=version))
        return {"ok": True, "restart": True, "version": version}

    async def purge(self) -> dict[str, Any]:
        try:
            async with self._changing(), self._updater() as updater:
                await updater.purge()
        except UpdateRefused as exc:
            return exc.answer()
        return {"ok": True}

    async def status(self) -> dict[str, Any]:
        try:
            async with self._updater(publish=False) as updater:
                return {"ok": True, "status": (await updater.status()).to_dict()}
        except (UpdateRefused, RaucError) as exc:
            reason = exc.reason if isinstance(exc, UpdateRefused) else UNAVAILABLE
            return UpdateRefused(f"the firmware status is not known: {exc}", reason).answer()

    @contextlib.asynccontextmanager
    async def _changing(self) -> AsyncIterator[None]:
        if self.busy.locked():
            raise UpdateRefused("another firmware upgrade, rollback or purge is running", BUSY)
        async with self.busy:
            yield

    @contextlib.asynccontextmanager
    async def _updater(self, publish: bool = True) -> AsyncIterator[Updater]:
        """A connected Updater; the firmware's state is published when done with it
        (unless only read)."""
        try:
            updater = await self.connect()
        except RaucUnavailable as exc:
            raise UpdateRefused(f"firmware updates are not available here: {exc}",
                                UNAVAILABLE) from exc
        try:
            yield updater
        finally:
            if publish:
                await self._publish(updater)
            updater.close()

    async def _publish(self, updater: Updater) -> None:
        try:
            status = await updater.status()
        except RaucError as exc:
            log.warning("could not read the firmware status: %s", exc)
            return
        await self.bus.set_state(contract.STATUS, status.to_dict())

    async def report(self, progress: contract.Progress) -> None:
        await self.bus.set_state(contract.PROGRESS, progress.to_dict())


class Reports:
    """An install's progress, in order, to the bus: the installer reports from
    the event loop and from its checking thread, and RAUC repeats itself."""

    def __init__(self, service: UpdateService) -> None:
        self.service = service
        self.queue: asyncio.Queue[contract.Progress] = asyncio.Queue()
        self.last: tuple[str, int] | None = None

    async def __aenter__(self) -> Reports:
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.create_task(self._send())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.queue.join()
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)

    def progress(self, stage: str, percent: int, message: str) -> None:
        """The installer's callback, from any thread."""
        if (stage, percent) != self.last:
            self.last = (stage, percent)
            self.loop.call_soon_threadsafe(self.queue.put_nowait,
                                           contract.Progress(stage, percent, message))

    async def _send(self) -> None:
        while True:
            report = await self.queue.get()
            try:
                await self.service.report(report)
            finally:
                self.queue.task_done()

