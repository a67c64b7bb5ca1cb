"""Which bundles this device accepts, decided before anything is written.

RAUC checks the signature and the compatible string itself; Herald checks
them again up front so the administrator gets one clear reason before an
upload is handed to RAUC, and adds what RAUC on trixie leaves to the
integrator: a downgrade floor. The floor is the lowest version the running
firmware lets replace it (raised by a release that fixes a security hole, so a
validly signed but vulnerable old bundle cannot be installed). A firmware
rollback does not install a bundle: it boots the other slot, which the floor
does not block.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.update.version import Version


class UpdateRefused(Exception):
    """The bundle is not installed; the message says why, for the administrator."""


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
            f"this device is {running.compatible!r}"
        )
    if floor is not None and bundle.version < floor:
        raise UpdateRefused(
            f"firmware {bundle.version} is older than {floor}, the oldest version "
            f"firmware {running.version} allows to be installed"
        )
