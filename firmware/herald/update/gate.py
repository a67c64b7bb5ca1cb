"""The boot health gate: decide, on every boot, whether this slot stays.

GRUB counts boot tries per slot and RAUC's "mark good" resets the count, so a
slot nobody marks good is left after three tries. The gate marks the booted
slot good once the firmware services answer; for an Autorollback upgrade it
waits for the administrator's confirmation instead (the deadline is kept on
disk, so a restart does not extend it), and gives the slot up when the time
runs out or the administrator asks to go back. A slot whose services never
come up is marked bad and the device restarts into the other slot, if that
one is good. Whatever happens to an upgrade is written down for the web
pages to show, and the firmware's state is published on the bus.

While an Autorollback upgrade waits, the gate serves the update service's
calls (confirm, reject, extend) and keeps its Trial on the bus (contract.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from herald.bus import AsyncBus
from herald.update import contract
from herald.update.contract import (
    ABANDONED,
    AUTOROLLBACK,
    FACTORY_DEFAULT,
    INSTALLING,
    PendingUpgrade,
    UpgradeResult,
)
from herald.update.health import Check, run_checks, summary
from herald.update.pending import UpgradeRecords, boot_id
from herald.update.policy import confirm_seconds
from herald.update.rauc import Rauc
from herald.update.snapshot import Snapshots
from herald.update.status import read_status

log = logging.getLogger(__name__)


def result_back_on_old(pending: PendingUpgrade, now: float) -> UpgradeResult:
    """What to tell the administrator when the device runs the old firmware again."""
    if pending.stage == INSTALLING:
        return UpgradeResult("failed", pending.from_version,
                             f"The upgrade to {pending.to_version} did not finish; "
                             f"firmware {pending.from_version} kept running.", now)
    why = pending.reason if pending.stage == ABANDONED else (
        f"Firmware {pending.to_version} did not start")
    return UpgradeResult("rolled back", pending.from_version,
                         f"{why}; the device returned to firmware {pending.from_version}.", now)


def duration(seconds: int) -> str:
    """'1 minute', '5 minutes', '30 seconds'."""
    count, unit = (seconds // 60, "minute") if seconds % 60 == 0 else (seconds, "second")
    return f"{count} {unit}{'' if count == 1 else 's'}"


class Gate:
    """One boot's decision, with RAUC, the upgrade records and the health checks."""

    def __init__(self, rauc: Rauc, records: UpgradeRecords, snapshots: Snapshots,
                 checks: list[Check], bus: AsyncBus, running_version: str,
                 reboot: Callable[[], None], health_timeout: float = 300,
                 retry_interval: float = 2) -> None:
        self.rauc = rauc
        self.records = records
        self.snapshots = snapshots
        self.checks = checks
        self.bus = bus
        self.running_version = running_version
        self.reboot = reboot
        self.health_timeout = health_timeout
        self.retry_interval = retry_interval

    async def run(self) -> str:
        """Decide this boot; returns what was done, for the log."""
        booted = await self.rauc.boot_slot()
        self.records.remember_slot(booted, self.running_version)
        pending = self._pending()
        if pending is not None and pending.boot == boot_id():
            await self.publish()
            return "the upgrade installed in this boot waits for its restart"
        if pending is not None and booted == pending.from_slot:
            result = result_back_on_old(pending, time.time())
            self.records.save_result(result)
            self.records.clear_pending()
            log.warning("upgrade %s: %s", result.outcome, result.message)
            pending = None
        await self.publish()
        healthy, detail = await self._wait_healthy()
        if not healthy:
            return await self._give_up(pending, f"Firmware services did not start: {detail}")
        await self._ready()
        if pending is not None and pending.kind == AUTOROLLBACK:
            refusal = await self._await_confirmation(pending)
            if refusal:
                return await self._give_up(self._pending() or pending, refusal)
        await self.rauc.mark("good", "booted")
        if pending is None:
            await self.publish()
            return f"slot {booted} marked good: {detail}"
        if pending.kind == FACTORY_DEFAULT:
            # The manual: after a factory-default upgrade there is no going back.
            await self.rauc.mark("bad", "other")
            self.snapshots.forget()
        self.records.save_result(UpgradeResult(
            "upgraded", pending.to_version,
            f"Upgraded from firmware {pending.from_version} to {pending.to_version}.", time.time()))
        self.records.clear_pending()
        await self.publish()
        return f"upgrade to {pending.to_version} ({pending.kind}) kept on slot {booted}"

    async def publish(self) -> None:
        """The firmware's state on the bus, for the pages. Nothing the gate
        decides depends on it: with Redis away (killed, restarting) the gate
        goes on, and the update service publishes the state when it starts."""
        status = await read_status(self.rauc, self.records, self.running_version)
        await self._set_state(contract.STATUS, status.to_dict(), "the firmware's state")

    async def _ready(self) -> None:
        """Say that the services are up in this boot: rules on "System ready" run."""
        await self._set_state(contract.READY, contract.SystemReady(boot_id(), time.time())
                              .to_dict(), "the system's readiness")

    async def _set_state(self, key: str, value: dict[str, Any], what: str) -> None:
        """A state on the bus, if Redis is there: nothing the gate decides depends on it."""
        try:
            await self.bus.set_state(key, value)
        except (RedisError, OSError) as exc:
            log.warning("%s is not on the bus: %s", what, exc)

    def _pending(self) -> PendingUpgrade | None:
        try:
            return self.records.pending()
        except ValueError as exc:
            # Not written by any firmware (a damaged disk): keep it for a look, decide without it.
            log.error("%s; set aside", exc)
            path = self.records.directory / "pending.json"
            path.replace(Path(f"{path}.unreadable"))
            return None

    async def _wait_healthy(self) -> tuple[bool, str]:
        deadline = time.monotonic() + self.health_timeout
        while True:
            results = await asyncio.to_thread(run_checks, self.checks)
            if all(r.ok for r in results) or time.monotonic() > deadline:
                return all(r.ok for r in results), summary(results)
            await asyncio.sleep(self.retry_interval)

    async def _await_confirmation(self, pending: PendingUpgrade) -> str:
        """Serve the confirmation calls until one decides; "" if confirmed, else the reason."""
        if not pending.deadline:
            pending = dataclasses.replace(pending, deadline=time.time() + pending.confirm_seconds)
            self.records.save_pending(pending)
        decided: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def confirm() -> dict[str, Any]:
            if not decided.done():
                decided.set_result("")
            return {"confirmed": True, "version": pending.to_version}

        async def reject() -> dict[str, Any]:
            if not decided.done():
                decided.set_result(f"The upgrade to {pending.to_version} was rolled back "
                                   f"by the administrator")
            return {"rolling_back": True, "version": pending.from_version}

        async def extend(minutes: float) -> dict[str, Any]:
            nonlocal pending
            pending = dataclasses.replace(pending, deadline=time.time() + confirm_seconds(minutes))
            self.records.save_pending(pending)
            await self._announce(pending)
            return {"deadline": pending.deadline}

        await self._announce(pending)
        server = asyncio.create_task(self.bus.serve(contract.TRIAL_SERVICE, {
            contract.CONFIRM: confirm, contract.REJECT: reject, contract.EXTEND: extend}))
        try:
            while not decided.done():
                left = pending.deadline - time.time()
                if left <= 0:
                    return (f"The upgrade to {pending.to_version} was not confirmed within "
                            f"{duration(pending.confirm_seconds)}")
                # Wake up at the deadline, or earlier to notice an extension.
                await asyncio.wait([decided], timeout=min(left, 1.0))
            return decided.result()
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
            await self.bus.set_state(contract.TRIAL, None)

    async def _announce(self, pending: PendingUpgrade) -> None:
        await self.bus.set_state(contract.TRIAL, contract.Trial(
            pending.to_version, pending.from_version, pending.deadline).to_dict())

    async def _give_up(self, pending: PendingUpgrade | None, reason: str) -> str:
        log.error("%s", reason)
        other = [s for s in await self.rauc.slots() if s.state != "booted"]
        if not any(s.boot_status == "good" for s in other):
            # Restarting would only loop: stay up so the device can be reached.
            await self.publish()
            return f"{reason}; no other good slot, staying on this one"
        if pending is not None:
            self.records.save_pending(dataclasses.replace(pending, stage=ABANDONED, reason=reason))
        await self.rauc.mark("bad", "booted")
        await self.publish()
        self.reboot()
        return f"{reason}; slot marked bad, restarting into the other slot"


def reboot_device() -> None:
    subprocess.run(["systemctl", "reboot"], check=True, timeout=60)
