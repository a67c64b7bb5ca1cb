"""Firmware upgrade and rollback as the worker carries them out.

The web (Maintenance page, firmwaremanagement.cgi) only stores the uploaded
file and asks; the worker, which runs as root, checks and installs the
bundle through `herald.update`, then restarts the device into the new slot
once the speaker is quiet (unless forced), after a factory default if one
was chosen. Every step is published on the bus as state `update.progress`,
which the Maintenance page shows live (herald.update.contract.Progress).

One upgrade at a time: a Redis lock covers the check and the install, the
pending record on /data covers the time until the new firmware decides.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from herald.bus import ServiceUnavailable
from herald.update import contract
from herald.update.install import Updater
from herald.update.playback import playing
from herald.update.policy import BUSY, INVALID, UNAVAILABLE, UpdateRefused, upgrade_request
from herald.update.rauc import RaucError, RaucUnavailable
from herald_web.device import bus
from herald_web.maintenance import reset, uploads

log = logging.getLogger(__name__)

LOCK = "herald:update:busy"
LOCK_SECONDS = 3600  # longer than any install; a worker that died lets go by then
QUIET_POLL_SECONDS = 1.0
T = TypeVar("T")


def report(stage: str, percent: int = 0, message: str = "", **extra: str) -> None:
    bus().set_state(contract.PROGRESS,
                    contract.Progress(stage, percent, message, **extra).to_dict())


def with_updater(action: Callable[[Updater], Awaitable[T]]) -> T:
    """Run `action` with a connected Updater, then publish the firmware's state."""
    async def run() -> T:
        try:
            updater = await Updater.connect()
        except RaucUnavailable as exc:
            raise UpdateRefused(f"firmware updates are not available here: {exc}",
                                UNAVAILABLE) from exc
        try:
            result = await action(updater)
            await publish(updater)
            return result
        finally:
            updater.close()
    return asyncio.run(run())


async def publish(updater: Updater) -> None:
    try:
        status = await updater.status()
    except RaucError as exc:
        log.warning("could not read the firmware status: %s", exc)
        return
    bus().set_state(contract.STATUS, status.to_dict())


def install(token: str, kind: str, confirm_minutes: float, by: str) -> dict[str, Any]:
    """Check and install an uploaded bundle; the outcome for the caller to show."""
    lock = bus().redis.lock(LOCK, timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        return refused(UpdateRefused("another firmware upgrade is being installed", BUSY))
    try:
        request = upgrade_request(kind, confirm_minutes)
        upload = uploads.find(token)
        bundle = uploads.hand_over(upload)
        log.warning("firmware upgrade (%s) from %r requested by %s", kind, upload.name, by)
        last = [-1, ""]

        def progress(stage: str, percent: int, message: str) -> None:
            if [percent, stage] != last:  # RAUC repeats itself; the page needs changes only
                last[:] = [percent, stage]
                report(stage, percent, message)

        pending = with_updater(lambda u: u.upgrade(bundle, request, progress))
    except UpdateRefused as exc:
        return refused(exc)
    except uploads.UploadError as exc:
        return refused(UpdateRefused(str(exc), INVALID))
    finally:
        uploads.discard_all()
        lock.release()
    log.warning("firmware %s installed; it starts at the next restart", pending.to_version)
    report(contract.INSTALLED, 100, f"Firmware {pending.to_version} is installed.",
           version=pending.to_version)
    return {"ok": True, "version": pending.to_version, "kind": pending.kind}


def refused(exc: UpdateRefused) -> dict[str, Any]:
    log.warning("firmware upgrade refused: %s", exc)
    report(contract.REFUSED, 0, str(exc), reason=exc.reason)
    return {"ok": False, "reason": exc.reason, "message": str(exc)}


def restart_when_quiet(factory_default: str, force: bool, by: str, version: str) -> None:
    """Restart into the installed firmware once nothing plays (at once if `force`),
    after a factory default ("soft" keeps the network settings, "hard" all) if asked."""
    while not force:
        now_playing = playing(bus())
        if not now_playing:
            break
        report(contract.WAITING, 100, "Waiting for audio playback to end before restarting: "
                               + ", ".join(now_playing))
        time.sleep(QUIET_POLL_SECONDS)
    report(contract.RESTARTING, 100, f"The device is restarting into firmware {version}.")
    if factory_default in ("soft", "hard"):
        reset.factory_default(factory_default == "hard", by)
    else:
        reset.restart(by)


def rollback(by: str) -> dict[str, Any]:
    """Go back to the previous firmware: at once while an Autorollback upgrade
    waits for its confirmation (the boot gate restarts), else at the next restart."""
    if bus().state().get(contract.TRIAL):
        try:
            bus().call(contract.SERVICE, contract.REJECT, timeout=10)
        except ServiceUnavailable as exc:
            return refused(UpdateRefused(f"the upgrade could not be rolled back: {exc}", BUSY))
        return {"ok": True, "restart": False}
    try:
        version = with_updater(lambda u: u.rollback())
    except UpdateRefused as exc:
        return refused(exc)
    log.warning("rollback to firmware %s requested by %s", version, by)
    report(contract.INSTALLED, 100, f"Firmware {version} starts at the next restart.",
           version=version)
    return {"ok": True, "restart": True, "version": version}


def purge() -> dict[str, Any]:
    try:
        with_updater(lambda u: u.purge())
    except UpdateRefused as exc:
        return {"ok": False, "reason": exc.reason, "message": str(exc)}
    return {"ok": True}
