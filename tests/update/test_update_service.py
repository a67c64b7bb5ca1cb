"""The update service with the real RAUC on this host (private D-Bus, file
slots) and a real bus: one change of the slots at a time, a refusal that
says why and changes nothing, and the firmware's state on the bus after
each request."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.bus import AsyncBus
from herald.update import contract
from herald.update.install import Updater
from herald.update.pending import STANDARD, UpgradeRecords
from herald.update.policy import BAD_REQUEST, BUSY, NO_PREVIOUS
from herald.update.rauc import Rauc
from herald.update.service import UpdateService
from herald.update.snapshot import Snapshots
from herald.update.status import FirmwareStatus
from tests.update.conftest import SmallBundles
from tests.update.host_rauc import HostRauc

RUNNING = "0.1.0"


@pytest.fixture
def rauc(tmp_path: Path, small_bundles: SmallBundles) -> Iterator[HostRauc]:
    host = HostRauc(tmp_path / "rauc", shared=(small_bundles.work,))
    host.boot("A")
    try:
        yield host
    finally:
        host.stop()


def service_on(rauc: HostRauc, data: Path, bus: AsyncBus) -> UpdateService:
    database = data / "db.sqlite3"
    sqlite3.connect(database).close()

    async def connect() -> Updater:
        return Updater(await Rauc.connect(rauc.address), UpgradeRecords(data / "update"),
                       Snapshots(data / "update", database), RUNNING, None)
    return UpdateService(bus, connect)


def test_one_change_at_a_time_and_each_outcome_on_the_bus(rauc, small_bundles, tmp_path,
                                                          own_redis_url):
    async def scenario() -> tuple[list[dict], dict]:
        bus = AsyncBus(own_redis_url, source="test")
        service = service_on(rauc, tmp_path, bus)
        try:
            # The second starts while the first holds the slots (asyncio runs the
            # first up to its first wait, talking to RAUC).
            answers = await asyncio.gather(
                service.install(str(small_bundles.good), STANDARD, by="test"),
                service.install(str(small_bundles.good), STANDARD, by="test"))
            return answers, await bus.state()
        finally:
            await bus.close()

    before = rauc.grubenv()
    (first, second), state = asyncio.run(scenario())
    # This host cannot write a verity bundle: the first install gets as far as RAUC.
    assert first["ok"] is False and first["message"].startswith("installation failed")
    assert second["ok"] is False and second["reason"] == BUSY
    assert rauc.grubenv() == before
    assert not (tmp_path / "update" / "pending.json").exists()
    progress = contract.Progress.from_dict(state[contract.PROGRESS])
    assert progress.stage == contract.REFUSED and progress.message == first["message"]
    status = FirmwareStatus.from_dict(state[contract.STATUS])
    assert (status.booted, status.version, status.pending) == ("A", RUNNING, None)


def test_refusals_say_why_and_status_answers(rauc, tmp_path, own_redis_url):
    async def scenario() -> tuple[dict, dict, dict]:
        bus = AsyncBus(own_redis_url, source="test")
        service = service_on(rauc, tmp_path, bus)
        try:
            return (await service.install(str(tmp_path / "x.raucb"), "sideways"),
                    await service.rollback(by="test"), await service.status())
        finally:
            await bus.close()

    wrong_kind, rollback, status = asyncio.run(scenario())
    assert wrong_kind["reason"] == BAD_REQUEST and "sideways" in wrong_kind["message"]
    assert rollback == {"ok": False, "reason": NO_PREVIOUS,
                        "message": "there is no previous firmware to roll back to"}
    slots = FirmwareStatus.from_dict(status["status"]).slots
    assert [(s.name, s.running, s.version) for s in slots] == [
        ("A", True, RUNNING), ("B", False, "")]
