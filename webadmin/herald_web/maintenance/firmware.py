"""Firmware upgrades as the web admin asks for them: a client of the update
service (herald-updater, herald.update.service), which checks, installs,
rolls back and reports on the bus. What stays here is the web admin's own:
handing over the uploaded file, and the restart into the new firmware once
the speaker is quiet (unless forced), after a factory default if one was
chosen.

Each function answers {"ok": True, ...} or {"ok": False, "reason",
"message"} with the contract's reason codes, for the page and VAPIX.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from herald.bus import BusError
from herald.update import contract
from herald.update.contract import INVALID, UNAVAILABLE, FirmwareStatus, UpdateRefused
from herald_web.audio.engine import playing
from herald_web.device import bus
from herald_web.maintenance import reset, uploads

log = logging.getLogger(__name__)

INSTALL_SECONDS = 1800  # checking and writing a bundle on a slow device
CALL_SECONDS = 60
QUIET_POLL_SECONDS = 1.0


def report(stage: str, percent: int = 0, message: str = "") -> None:
    """What the page shows before the update service takes over."""
    bus().set_state(contract.PROGRESS, contract.Progress(stage, percent, message).to_dict())


def refused(exc: UpdateRefused) -> dict[str, Any]:
    log.warning("firmware request refused: %s", exc)
    return exc.answer()


def call(method: str, seconds: float = CALL_SECONDS, **params: Any) -> dict[str, Any]:
    """Ask the update service; a service that does not answer is a refusal too."""
    try:
        return bus().call(contract.SERVICE, method, timeout=seconds, **params)
    except BusError as exc:
        return refused(UpdateRefused(f"the update service did not answer: {exc}",
                                     UNAVAILABLE))


def install(token: str, kind: str, confirm_minutes: float, by: str) -> dict[str, Any]:
    """Hand an uploaded bundle to the update service to check and install."""
    try:
        bundle = uploads.hand_over(uploads.find(token))
    except uploads.UploadError as exc:
        uploads.discard_all()
        return refused(UpdateRefused(str(exc), INVALID))
    try:
        return install_from(str(bundle), kind, confirm_minutes, by)
    finally:
        uploads.discard_all()


def install_from(bundle: str, kind: str, confirm_minutes: float, by: str) -> dict[str, Any]:
    """Have the update service check and install `bundle`: a file it may read,
    or the URL of a web server it streams the bundle from."""
    return call(contract.INSTALL, INSTALL_SECONDS, bundle=bundle, kind=kind,
                confirm_minutes=confirm_minutes, by=by)


def rollback(by: str) -> dict[str, Any]:
    return call(contract.ROLLBACK, by=by)


def purge() -> dict[str, Any]:
    return call(contract.PURGE)


def answered(method: str, **params: Any) -> dict[str, Any]:
    """The update service's answer, or UpdateRefused with its reason."""
    answer = call(method, **params)
    if not answer["ok"]:
        raise UpdateRefused(answer["message"], answer["reason"])
    return answer


def status() -> FirmwareStatus:
    """The firmware's state now, or UpdateRefused saying why it is not known."""
    return FirmwareStatus.from_dict(answered(contract.READ_STATUS)["status"])


def check(kind: object, confirm_minutes: object) -> tuple[str, float]:
    """The upgrade type and minutes to confirm as the update service would take
    them (its policy decides), or UpdateRefused saying what is wrong."""
    answer = answered(contract.CHECK, kind=kind, confirm_minutes=confirm_minutes)
    return answer["kind"], answer["confirm_seconds"] / 60


def restart_when_quiet(factory_default: str, force: bool, by: str, version: str) -> None:
    """Restart into the installed firmware once nothing plays (at once if `force`),
    after a factory default ("soft" keeps the network settings, "hard" all) if asked."""
    while not force:
        now_playing = playing()
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
