"""The boot health gate: decide, on every boot, whether this slot stays.

GRUB counts boot tries per slot and RAUC's "mark good" resets the count, so a
slot nobody marks good is left after three tries. The gate marks the booted
slot good once the firmware services answer; for an Autorollback upgrade it
waits for the administrator's confirmation instead, and gives the slot up
when the time runs out. A slot whose services never come up is marked bad
and the device restarts into the other slot, if that one is good. Whatever
happens to an upgrade is written down for the web pages to show.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import subprocess
import time
from collections.abc import Callable

from herald.bus import AsyncBus
from herald.update.health import Check, run_checks, summary
from herald.update.pending import (
    ABANDONED,
    AUTOROLLBACK,
    FACTORY_DEFAULT,
    INSTALLING,
    PendingUpgrade,
    UpgradeRecords,
    UpgradeResult,
)
from herald.update.rauc import Rauc

log = logging.getLogger(__name__)

CONFIRMATION_STATE = "update.autorollback"


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


class Gate:
    """One boot's decision, with RAUC, the upgrade records and the health checks."""

    def __init__(self, rauc: Rauc, records: UpgradeRecords, checks: list[Check], bus: AsyncBus,
                 running_version: str, reboot: Callable[[], None],
                 health_timeout: float = 300, retry_interval: float = 2) -> None:
        self.rauc = rauc
        self.records = records
        self.checks = checks
        self.bus = bus
        self.running_version = running_version
        self.reboot = reboot
        self.health_timeout = health_timeout
        self.retry_interval = retry_interval

    async def run(self) -> str:
        """Decide this boot; returns what was done, for the log."""
        booted = await self.rauc.boot_slot()
        pending = self.records.pending()
        if pending is not None and booted == pending.from_slot:
            result = result_back_on_old(pending, time.time())
            self.records.save_result(result)
            self.records.clear_pending()
            log.warning("upgrade %s: %s", result.outcome, result.message)
            pending = None
        healthy, detail = await self._wait_healthy()
        if not healthy:
            return await self._give_up(pending, f"Firmware services did not start: {detail}")
        if (pending is not None and pending.kind == AUTOROLLBACK
                and not await self._await_confirmation(pending)):
            return await self._give_up(
                pending, f"The upgrade to {pending.to_version} was not confirmed "
                         f"within {pending.confirm_seconds / 60:g} minutes")
        await self.rauc.mark("good", "booted")
        if pending is None:
            return f"slot {booted} marked good: {detail}"
        if pending.kind == FACTORY_DEFAULT:
            # The manual: after a factory-default upgrade there is no going back.
            await self.rauc.mark("bad", "other")
        self.records.save_result(UpgradeResult(
            "upgraded", pending.to_version,
            f"Upgraded from firmware {pending.from_version} to {pending.to_version}.", time.time()))
        self.records.clear_pending()
        return f"upgrade to {pending.to_version} ({pending.kind}) kept on slot {booted}"

    async def _wait_healthy(self) -> tuple[bool, str]:
        deadline = time.monotonic() + self.health_timeout
        while True:
            results = await asyncio.to_thread(run_checks, self.checks)
            if all(r.ok for r in results) or time.monotonic() > deadline:
                return all(r.ok for r in results), summary(results)
            await asyncio.sleep(self.retry_interval)

    async def _await_confirmation(self, pending: PendingUpgrade) -> bool:
        """Serve `update.confirm` until the administrator confirms or time runs out."""
        confirmed = asyncio.Event()

        async def confirm() -> dict:
            confirmed.set()
            return {"confirmed": True, "version": pending.to_version}

        deadline = time.time() + pending.confirm_seconds
        await self.bus.set_state(CONFIRMATION_STATE,
                                 {"version": pending.to_version, "deadline": deadline})
        server = asyncio.create_task(self.bus.serve("update", {"confirm": confirm}))
        try:
            await asyncio.wait_for(confirmed.wait(), pending.confirm_seconds)
            return True
        except TimeoutError:
            return False
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
            await self.bus.set_state(CONFIRMATION_STATE, None)

    async def _give_up(self, pending: PendingUpgrade | None, reason: str) -> str:
        log.error("%s", reason)
        other = [s for s in await self.rauc.slots() if s.state != "booted"]
        if not any(s.boot_status == "good" for s in other):
            # Restarting would only loop: stay up so the device can be reached.
            return f"{reason}; no other good slot, staying on this one"
        if pending is not None:
            self.records.save_pending(dataclasses.replace(pending, stage=ABANDONED, reason=reason))
        await self.rauc.mark("bad", "booted")
        self.reboot()
        return f"{reason}; slot marked bad, restarting into the other slot"


def reboot_device() -> None:
    subprocess.run(["systemctl", "reboot"], check=True, timeout=60)
