"""The firmware's state as the web pages and VAPIX show it.

One snapshot gathers what RAUC says about the two slots (which one runs,
which one boots next, what each holds and whether it is good) and what the
upgrade records say (an upgrade waiting for its restart or its confirmation,
how the last one ended). The boot gate and the worker publish it on the bus
(state `contract.STATUS`) whenever it changes, so pages show it without
talking to RAUC themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload
from herald.update.pending import PendingUpgrade, UpgradeRecords, UpgradeResult
from herald.update.rauc import Rauc, RaucError


@dataclass(frozen=True)
class SlotState:
    """One root slot, in the words of the Status page."""

    name: str  # "A" or "B"
    running: bool
    boots_next: bool
    good: bool
    version: str  # "" when RAUC does not know what the slot holds
    installed: str  # when RAUC last wrote it, "" if never


@dataclass(frozen=True)
class FirmwareStatus(Payload):
    version: str  # the running firmware
    booted: str  # slot name
    slots: tuple[SlotState, ...]
    pending: PendingUpgrade | None
    last: UpgradeResult | None

    @property
    def other(self) -> SlotState | None:
        return next((s for s in self.slots if not s.running), None)


async def read_status(rauc: Rauc, records: UpgradeRecords, running_version: str) -> FirmwareStatus:
    """Ask RAUC and the records for the firmware's state now."""
    booted = await rauc.boot_slot()
    try:
        primary = await rauc.primary()
    except RaucError:  # no slot has boot tries left: GRUB starts over with the first good one
        primary = ""
    known = records.slot_versions()
    slots = []
    for slot in sorted(await rauc.slots(), key=lambda s: s.bootname):
        running = slot.bootname == booted
        # What runs is certain; RAUC knows what it last wrote; else what last ran there.
        version = running_version if running else slot.version or known.get(slot.bootname, "")
        slots.append(SlotState(slot.bootname, running, slot.name == primary,
                               slot.boot_status == "good", version, slot.installed))
    try:
        pending = records.pending()
    except ValueError:
        pending = None
    return FirmwareStatus(running_version, booted, tuple(slots), pending, records.result())
