"""The firmware's state (contract.FirmwareStatus) read from RAUC and the records.

One snapshot gathers what RAUC says about the two slots (which one runs,
which one boots next, what each holds and whether it is good) and what the
upgrade records say (an upgrade waiting for its restart or its confirmation,
how the last one ended). The update service and the boot gate publish it on the bus
(state `contract.STATUS`) whenever it changes, so pages show it without
talking to RAUC themselves.
"""

from __future__ import annotations

from herald.update.contract import FirmwareStatus, SlotState
from herald.update.pending import UpgradeRecords
from herald.update.rauc import Rauc, RaucError


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
