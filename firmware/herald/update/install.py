"""Upgrade, rollback and purge as the Maintenance page and firmwaremanagement.cgi ask.

The order matters for power cuts: the bundle is checked completely (its
signature, what it is for, its whole content) before anything is written,
the configuration is copied and the pending record goes to disk before RAUC
writes the other slot, and the record says "installed" only after RAUC has
switched the boot order. The restart that follows is the caller's, so it
can wait for playback to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from herald.environment import current
from herald.system.identity import read_firmware
from herald.update.contract import (
    BUSY,
    CHECKING,
    FAILED,
    INSTALLED,
    INSTALLING,
    INVALID,
    NO_PREVIOUS,
    NOT_COMMITTED,
    UNREACHABLE,
    UNTRUSTED,
    FirmwareStatus,
    PendingUpgrade,
    UpdateRefused,
    UpgradeResult,
    is_url,
)
from herald.update.contract import INSTALLING as INSTALLING_STAGE
from herald.update.pending import UpgradeRecords, boot_id, make_directory, records_dir
from herald.update.policy import Firmware, UpgradeRequest, check_bundle
from herald.update.rauc import BundleInfo, Rauc, RaucError
from herald.update.snapshot import Snapshots
from herald.update.status import read_status
from herald.update.verity import PayloadDamaged, check_payload
from herald.update.version import Version

# What RAUC says when a URL gives no bundle (no server, HTTP errors, no range
# requests), rather than one that is damaged or untrusted.
STREAMING_FAILURES = ("curl", "HTTP", "download", "Download", "range", "Range", "resolve",
                      "onnect", "streaming")
# (stage, percent, message): CHECKING while the bundle is read, then INSTALLING.
Progress = Callable[[str, int, str], None]


def _ignore(_stage: str, _percent: int, _message: str) -> None:
    return None


def refusal(error: RaucError, bundle: str) -> UpdateRefused:
    """RAUC's reason for refusing a bundle, as the administrator reads it."""
    text = str(error)
    if "signature verification failed" in text or "Verify error" in text:
        return UpdateRefused(f"the firmware is not signed by a key this device trusts ({text})",
                             UNTRUSTED)
    if is_url(bundle) and any(word in text for word in STREAMING_FAILURES):
        return UpdateRefused(f"no firmware could be read from {bundle} ({text})", UNREACHABLE)
    return UpdateRefused(f"the file is not a complete Herald firmware bundle ({text})", INVALID)


@dataclass
class Updater:
    """This device's firmware: RAUC, the upgrade records and the configuration copy."""

    rauc: Rauc
    records: UpgradeRecords
    snapshots: Snapshots
    version: str  # the running firmware
    floor: Version | None  # the oldest version it lets replace it

    @classmethod
    async def connect(cls) -> Updater:
        """For the running firmware, from its environment and os-release."""
        firmware = read_firmware()
        directory = records_dir()
        return cls(await Rauc.connect(), UpgradeRecords(directory),
                   Snapshots(directory, current().database), firmware.version,
                   Version.parse(firmware.min_version) if firmware.min_version else None)

    def close(self) -> None:
        self.rauc.close()

    async def status(self) -> FirmwareStatus:
        return await read_status(self.rauc, self.records, self.version)

    async def check(self, bundle: str, progress: Progress = _ignore) -> BundleInfo:
        """Everything that decides whether `bundle` (a file, or a URL) may be
        installed; writes nothing. A streamed bundle's content is not read
        ahead: RAUC checks each block against the signed hash tree as it reads
        it (dm-verity), and a damaged one fails the install of the other slot."""
        progress(CHECKING, 0, "Checking the signature")
        try:
            info = await self.rauc.inspect(bundle)
        except RaucError as exc:
            raise refusal(exc, bundle) from exc
        try:
            offered = Firmware(info.compatible, Version.parse(info.version))
        except ValueError as exc:
            raise UpdateRefused(f"the bundle's version is not valid: {exc}", INVALID) from exc
        running = Firmware(await self.rauc.compatible(), Version.parse(self.version))
        check_bundle(offered, running, self.floor)
        if is_url(bundle):
            return info
        progress(CHECKING, 0, "Checking the content")
        try:
            await asyncio.to_thread(
                check_payload, Path(bundle), info.verity_hash, info.verity_salt, info.verity_size,
                lambda percent: progress(CHECKING, percent, "Checking the content"))
        except PayloadDamaged as exc:
            raise UpdateRefused(str(exc), INVALID) from exc
        return info

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """One change of the slots at a time on this device, whoever asks (the
        update service, herald-update in a shell): a second is refused as busy.
        The lock is on the records' directory and goes with the process."""
        make_directory(self.records.directory)
        fd = os.open(self.records.directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UpdateRefused("another firmware upgrade, rollback or purge is running",
                                    BUSY) from None
            yield
        finally:
            os.close(fd)

    async def upgrade(self, bundle: str, request: UpgradeRequest,
                      progress: Progress = _ignore) -> PendingUpgrade:
        """Install `bundle` (a file, or a URL to stream it from) into the other
        slot; raise UpdateRefused with the reason."""
        with self.changing():
            return await self._upgrade(bundle, request, progress)

    async def _upgrade(self, bundle: str, request: UpgradeRequest,
                       progress: Progress) -> PendingUpgrade:
        if self.records.pending() is not None:
            raise UpdateRefused("an upgrade is already waiting for a restart or a confirmation",
                                BUSY)
        info = await self.check(bundle, progress)
        booted = await self.rauc.boot_slot()
        pending = PendingUpgrade(request.kind, INSTALLING, booted, self.version, info.version,
                                 request.confirm_seconds, boot=boot_id())
        await asyncio.to_thread(self.snapshots.take, booted, self.version)
        self.records.save_pending(pending)
        try:
            await self.rauc.install(bundle,
                                    lambda percent, text: progress(INSTALLING_STAGE, percent, text))
        except RaucError as exc:
            self.records.clear_pending()
            refused = refusal(exc, bundle)
            if refused.reason == UNREACHABLE:  # the server went while streaming
                raise refused from exc
            raise UpdateRefused(f"installation failed: {exc}", FAILED) from exc
        installed = dataclasses.replace(pending, stage=INSTALLED)
        self.records.save_pending(installed)
        return installed

    async def rollback(self) -> str:
        """Make the previous firmware (and its configuration) boot next; returns its version."""
        with self.changing():
            return await self._rollback()

    async def _rollback(self) -> str:
        if self.records.pending() is not None:
            raise UpdateRefused("an upgrade is waiting for a restart or a confirmation; "
                                "finish it before rolling back", BUSY)
        previous = (await self.status()).other
        if previous is None or not previous.good:
            raise UpdateRefused("there is no previous firmware to roll back to", NO_PREVIOUS)
        await self.rauc.mark("active", "other")
        self.snapshots.restore_on_next_boot(previous.name)
        version = previous.version or "the previous version"
        self.records.save_result(UpgradeResult(
            "rolled back", version,
            f"Rolled back from firmware {self.version} to {version}.", time.time()))
        return version

    async def purge(self) -> None:
        """Forget the previous firmware: the other slot no longer boots, not even as a fallback."""
        with self.changing():
            if self.records.pending() is not None:
                raise UpdateRefused("the running firmware is not committed yet", NOT_COMMITTED)
            await self.rauc.mark("bad", "other")
            self.snapshots.forget()
