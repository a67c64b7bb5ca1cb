"""Which bundles this device accepts, decided before anything is written.

RAUC checks the signature and the compatible string itself; Herald checks
them again up front so the administrator gets one clear reason before an
upload is handed to RAUC, and adds what RAUC on trixie leaves to the
integrator: a downgrade floor. The floor is the lowest version the running
firmware lets replace it (raised by a release that fixes a security hole, so a
validly signed but vulnerable old bundle cannot be installed). A firmware
rollback does not install a bundle: it boots the other slot, which the floor
does not block.

What an administrator may ask for (the upgrade type, the time to confirm an
Autorollback upgrade) is checked here too, once for every door the request
comes through: the Maintenance page, firmwaremanagement.cgi, the command
line and the boot gate's extend call.

Every refusal is an `UpdateRefused` with one of the contract's reason codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.update.contract import (
    AUTOROLLBACK,
    BAD_REQUEST,
    INCOMPATIBLE,
    KINDS,
    MAX_CONFIRM_MINUTES,
    TOO_OLD,
    UpdateRefused,
)
from herald.update.version import Version


@dataclass(frozen=True)
class Firmware:
    """What a firmware (a bundle, or the running system) says of itself."""

    compatible: str
    version: Version


def check_bundle(bundle: Firmware, running: Firmware, floor: Version | None) -> None:
    """Raise UpdateRefused unless `bundle` may replace the running firmware."""
    if bundle.compatible != running.compatible:
        raise UpdateRefused(
            f"this firmware is for {bundle.compatible!r} devices; "
            f"this device is {running.compatible!r}", INCOMPATIBLE)
    if floor is not None and bundle.version < floor:
        raise UpdateRefused(
            f"firmware {bundle.version} is older than {floor}, the oldest version "
            f"firmware {running.version} allows to be installed", TOO_OLD)


@dataclass(frozen=True)
class UpgradeRequest:
    """What the administrator chose: the upgrade type and, for Autorollback,
    the seconds they have to confirm the new firmware (0 otherwise)."""

    kind: str
    confirm_seconds: int = 0


def upgrade_request(kind: object, confirm_minutes: object = None) -> UpgradeRequest:
    """The request, or UpdateRefused saying what is wrong with it."""
    if kind not in KINDS:
        raise UpdateRefused(f"the upgrade type must be one of {', '.join(KINDS)}, not {kind!r}",
                            BAD_REQUEST)
    if kind != AUTOROLLBACK:
        return UpgradeRequest(str(kind))
    return UpgradeRequest(AUTOROLLBACK, confirm_seconds(confirm_minutes))


def confirm_seconds(minutes: object) -> int:
    """The time to confirm an Autorollback upgrade, from 1 minute to a day."""
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not (
            1 <= minutes <= MAX_CONFIRM_MINUTES):
        raise UpdateRefused(f"the time to confirm must be 1 to {MAX_CONFIRM_MINUTES} minutes, "
                            f"not {minutes!r}", BAD_REQUEST)
    return round(minutes * 60)
