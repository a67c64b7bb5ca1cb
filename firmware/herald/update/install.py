"""Upgrade and rollback as the Maintenance page and firmwaremanagement.cgi ask.

The order matters for power cuts: the bundle is checked before anything is
written, the pending record goes to disk before RAUC writes the other slot,
and it says "installed" only after RAUC has switched the boot order. The
restart that follows is the caller's, so it can wait for playback to end.
"""

from __future__ import annotations

import dataclasses
import time

from herald.update.pending import (
    INSTALLED,
    INSTALLING,
    KINDS,
    PendingUpgrade,
    UpgradeRecords,
    UpgradeResult,
)
from herald.update.policy import Firmware, UpdateRefused, check_bundle
from herald.update.rauc import Progress, Rauc, RaucError
from herald.update.version import Version


async def upgrade(rauc: Rauc, records: UpgradeRecords, bundle: str, kind: str,
                  running_version: str, floor: Version | None, confirm_seconds: int = 0,
                  progress: Progress | None = None) -> PendingUpgrade:
    """Install `bundle` into the other slot; raise UpdateRefused with the reason."""
    if kind not in KINDS:
        raise UpdateRefused(f"upgrade type must be one of {', '.join(KINDS)}, not {kind!r}")
    if records.pending() is not None:
        raise UpdateRefused("an upgrade is already waiting for a restart or a confirmation")
    try:
        compatible, version = await rauc.info(bundle)  # checks the signature first
        offered = Firmware(compatible, Version.parse(version))
    except (RaucError, ValueError) as exc:
        raise UpdateRefused(f"not a valid Herald firmware bundle: {exc}") from exc
    running = Firmware(await rauc.compatible(), Version.parse(running_version))
    check_bundle(offered, running, floor)
    pending = PendingUpgrade(kind, INSTALLING, await rauc.boot_slot(), running_version,
                             version, confirm_seconds)
    records.save_pending(pending)
    try:
        await rauc.install(bundle, progress)
    except RaucError as exc:
        records.clear_pending()
        raise UpdateRefused(f"installation failed: {exc}") from exc
    installed = dataclasses.replace(pending, stage=INSTALLED)
    records.save_pending(installed)
    return installed


async def rollback(rauc: Rauc, records: UpgradeRecords, running_version: str) -> str:
    """Make the previous firmware boot next; returns its version."""
    if records.pending() is not None:
        raise UpdateRefused("an upgrade is waiting for a restart or a confirmation; "
                            "finish it before rolling back")
    other = [s for s in await rauc.slots() if s.state != "booted"]
    previous = next((s for s in other if s.boot_status == "good"), None)
    if previous is None:
        raise UpdateRefused("there is no previous firmware to roll back to")
    await rauc.mark("active", "other")
    version = previous.version or "the previous version"
    records.save_result(UpgradeResult(
        "rolled back", version,
        f"Rolled back from firmware {running_version} to {version}.", time.time()))
    return version
