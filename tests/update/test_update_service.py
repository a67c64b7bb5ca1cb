"""The update service with the real RAUC on this host (private D-Bus, file
slots) and a real bus: one change of the slots at a time, a refusal that
says why and changes nothing, and the firmware's state on the bus after
each request."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.bus import AsyncBus
from herald.update import contract
from herald.update.contract import (
    AUTOROLLBACK,
    BAD_REQUEST,
    BUSY,
    NO_PREVIOUS,
    STANDARD,
    FirmwareStatus,
)
from herald.update.install import Updater
from herald.update.pending import UpgradeRecords
from herald.update.rauc import Rauc
from herald.update.service import UpdateService
from herald.update.snapshot import Snapshots
from tests.conftest import REPO
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
    async def scenario() -> tuple[dict, dict, dict, list[dict]]:
        bus = AsyncBus(own_redis_url, source="test")
        service = service_on(rauc, tmp_path, bus)
        try:
            checks = [await service.check(*asked) for asked in (
                (AUTOROLLBACK, 30), (AUTOROLLBACK, 0), ("sideways", None))]
            return (await service.install(str(tmp_path / "x.raucb"), "sideways"),
                    await service.rollback(by="test"), await service.status(), checks)
        finally:
            await bus.close()

    wrong_kind, rollback, status, checks = asyncio.run(scenario())
    assert wrong_kind["reason"] == BAD_REQUEST and "sideways" in wrong_kind["message"]
    # What a page asks before it hands over a bundle: the same policy as install's.
    assert checks[0] == {"ok": True, "kind": AUTOROLLBACK, "confirm_seconds": 1800}
    assert [c["reason"] for c in checks[1:]] == [BAD_REQUEST, BAD_REQUEST]
    assert checks[2]["message"] == wrong_kind["message"]
    assert rollback == {"ok": False, "reason": NO_PREVIOUS,
                        "message": "there is no previous firmware to roll back to"}
    slots = FirmwareStatus.from_dict(status["status"]).slots
    assert [(s.name, s.running, s.version) for s in slots] == [
        ("A", True, RUNNING), ("B", False, "")]


def test_herald_update_in_a_shell_waits_its_turn_too(rauc, small_bundles, tmp_path):
    """A person's `herald-update install` while the update service changes the
    slots is refused as busy and changes nothing; once free, it gets to RAUC."""
    data = tmp_path / "data"
    (data / "update").mkdir(parents=True)
    sqlite3.connect(data / "db.sqlite3").close()
    env = {**os.environ, "HERALD_MODE": "development", "HERALD_DATA_DIR": str(data),
           "DBUS_SYSTEM_BUS_ADDRESS": rauc.address, "PYTHONPATH": str(REPO / "firmware")}
    command = [sys.executable, "-m", "herald.update.cli", "install", str(small_bundles.good)]
    service = Updater(None, UpgradeRecords(data / "update"),  # type: ignore[arg-type]
                      Snapshots(data / "update", data / "db.sqlite3"), RUNNING, None)
    before = rauc.grubenv()
    with service.changing():
        busy = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert busy.returncode == 1
    assert "another firmware upgrade, rollback or purge is running" in busy.stderr
    assert rauc.grubenv() == before and not (data / "update" / "pending.json").exists()
    free = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert free.returncode == 1 and "installation failed" in free.stderr  # no device-mapper here
