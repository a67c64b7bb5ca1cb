"""The boot gate decides each boot with the real RAUC (GRUB backend on a real
grubenv), the real web app's /healthz and the real bus: keep a healthy slot,
give up a slot whose services do not answer, wait for an Autorollback's
confirmation (which a restart does not extend), go back when nobody
confirms or the administrator asks, and write down what happened."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import multiprocessing
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.bus import AsyncBus, Bus
from herald.events import contract as events
from herald.update.contract import (
    ABANDONED,
    AUTOROLLBACK,
    CONFIRM,
    EXTEND,
    FACTORY_DEFAULT,
    INSTALLED,
    READY,
    REJECT,
    STANDARD,
    STATUS,
    TRIAL,
    TRIAL_SERVICE,
    PendingUpgrade,
)
from herald.update.gate import Gate
from herald.update.health import web_check
from herald.update.pending import UpgradeRecords
from herald.update.rauc import Rauc
from herald.update.snapshot import Snapshots
from tests.conftest import wait_until
from tests.update.host_rauc import HostRauc

OLD, NEW = "1.0.0", "1.1.0"


@dataclasses.dataclass
class Rig:
    rauc: HostRauc
    records: UpgradeRecords
    snapshots: Snapshots
    redis_url: str
    healthz: str
    reboots: list[str] = dataclasses.field(default_factory=list)

    def run(self, version: str, healthy: bool = True, timeout: float = 5) -> str:
        """One boot's gate, as herald-update gate runs it; returns what it did."""
        async def decide() -> str:
            rauc = await Rauc.connect(self.rauc.address)
            bus = AsyncBus(self.redis_url, source="update")
            url = self.healthz if healthy else "http://127.0.0.1:9/healthz"
            gate = Gate(rauc, self.records, self.snapshots, [web_check(url)], bus, version,
                        lambda: self.reboots.append(version), health_timeout=timeout,
                        retry_interval=0.2)
            try:
                return await gate.run()
            finally:
                await bus.close()
                rauc.close()
        return asyncio.run(decide())

    def installed(self, kind: str = STANDARD, confirm_seconds: int = 0) -> None:
        """What an upgrade from A leaves: B next in the boot order, the record on disk."""
        async def activate() -> None:
            rauc = await Rauc.connect(self.rauc.address)
            try:
                await rauc.mark("active", "rootfs.1")
            finally:
                rauc.close()
        asyncio.run(activate())
        self.snapshots.take("A", OLD)
        self.records.save_pending(PendingUpgrade(kind, INSTALLED, "A", OLD, NEW,
                                                 confirm_seconds, boot="the boot before"))

    def restart(self) -> str:
        """The device restarts: GRUB picks the next slot, RAUC starts on it."""
        slot = self.rauc.next_boot()
        self.rauc.boot(slot)
        return slot


@pytest.fixture
def rig(tmp_path: Path, herald) -> Iterator[Rig]:
    database = tmp_path / "db.sqlite3"
    sqlite3.connect(database).close()
    rauc = HostRauc(tmp_path / "rauc")
    rauc.boot("A")
    rig = Rig(rauc, UpgradeRecords(tmp_path / "update"), Snapshots(tmp_path / "update", database),
              herald.redis_url, herald.http_url + "/healthz")
    try:
        yield rig
    finally:
        rauc.stop()
        Bus(herald.redis_url).set_state(TRIAL, None)


def test_a_healthy_first_boot_keeps_its_slot_and_publishes_it(rig):
    assert rig.rauc.grubenv()["A_TRY"] == "1"
    assert rig.run(OLD).startswith("slot A marked good")
    assert rig.rauc.grubenv()["A_TRY"] == "0"
    status = Bus(rig.redis_url).state()[STATUS]
    assert status["booted"] == "A" and status["version"] == OLD
    assert [(s["name"], s["running"], s["good"]) for s in status["slots"]] == [
        ("A", True, True), ("B", False, False)]
    assert rig.records.slot_versions() == {"A": OLD}
    assert rig.reboots == []


def test_a_standard_upgrade_is_kept_once_the_services_answer(rig):
    rig.run(OLD)
    rig.installed()
    assert rig.restart() == "B"
    assert rig.run(NEW) == f"upgrade to {NEW} (standard) kept on slot B"
    assert rig.records.pending() is None
    assert rig.records.result().message == f"Upgraded from firmware {OLD} to {NEW}."
    env = rig.rauc.grubenv()
    assert env["ORDER"].split()[0] == "B" and env["B_OK"] == "1" and env["B_TRY"] == "0"
    assert env["A_OK"] == "1", "the previous firmware stays for a rollback"


def test_a_factory_default_upgrade_leaves_no_way_back(rig):
    rig.run(OLD)
    rig.installed(FACTORY_DEFAULT)
    rig.restart()
    rig.run(NEW)
    assert rig.rauc.grubenv()["A_OK"] == "0"
    assert rig.snapshots.current() is None


def test_new_firmware_whose_services_do_not_answer_goes_back(rig):
    rig.run(OLD)
    rig.installed()
    rig.restart()
    done = rig.run(NEW, healthy=False, timeout=1)
    assert "slot marked bad, restarting into the other slot" in done
    assert rig.reboots == [NEW]
    assert rig.records.pending().stage == ABANDONED
    assert rig.restart() == "A"
    assert rig.run(OLD).startswith("slot A marked good")
    result = rig.records.result()
    assert result.outcome == "rolled back" and result.version == OLD
    assert "Firmware services did not start: web app does not answer" in result.message


def test_without_another_good_slot_a_sick_firmware_stays_reachable(rig):
    done = rig.run(OLD, healthy=False, timeout=1)
    assert done.endswith("no other good slot, staying on this one")
    assert rig.reboots == []


def test_an_autorollback_nobody_confirms_returns_by_itself(rig):
    rig.run(OLD)
    rig.installed(AUTOROLLBACK, confirm_seconds=2)
    rig.restart()
    started = time.monotonic()
    done = rig.run(NEW)
    assert time.monotonic() - started >= 2
    assert done.startswith(f"The upgrade to {NEW} was not confirmed within")
    assert rig.reboots == [NEW] and rig.restart() == "A"
    rig.run(OLD)
    assert rig.records.result().outcome == "rolled back"
    assert rig.records.result().message == (
        f"The upgrade to {NEW} was not confirmed within 2 seconds; "
        f"the device returned to firmware {OLD}.")
    assert TRIAL not in Bus(rig.redis_url).state()


def gate_in_background(rig: Rig, version: str) -> tuple[multiprocessing.Process,
                                                        multiprocessing.Queue]:
    """The gate as its own process, which a power cut can end at any moment."""
    outcome: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=lambda: outcome.put(rig.run(version)), daemon=True)
    process.start()
    return process, outcome


def test_a_confirmed_autorollback_stays(rig):
    rig.run(OLD)
    rig.installed(AUTOROLLBACK, confirm_seconds=600)
    rig.restart()
    process, outcome = gate_in_background(rig, NEW)
    bus = Bus(rig.redis_url)
    trial = wait_until(lambda: bus.state().get(TRIAL), timeout=30,
                       what="the confirmation to be offered")
    assert trial["version"] == NEW and trial["from_version"] == OLD
    assert 590 < trial["deadline"] - time.time() <= 600
    assert bus.call(TRIAL_SERVICE, CONFIRM) == {"confirmed": True, "version": NEW}
    assert outcome.get(timeout=30) == f"upgrade to {NEW} (autorollback) kept on slot B"
    process.join(timeout=30)
    assert rig.rauc.grubenv()["B_TRY"] == "0"
    assert rig.records.result().outcome == "upgraded"
    assert TRIAL not in bus.state()


def test_a_restart_does_not_extend_the_confirmation_time_but_the_administrator_may(rig):
    rig.run(OLD)
    rig.installed(AUTOROLLBACK, confirm_seconds=600)
    rig.restart()
    bus = Bus(rig.redis_url)
    process, _ = gate_in_background(rig, NEW)
    first = wait_until(lambda: bus.state().get(TRIAL), timeout=30,
                       what="the confirmation to be offered")["deadline"]
    # The power fails; the next boot (B has tries left) offers the same deadline.
    process.kill()
    process.join()
    rig.rauc.stop()
    bus.set_state(TRIAL, None)
    assert json.loads((rig.records.directory / "pending.json").read_text())["deadline"] == first
    assert rig.restart() == "B"
    process, outcome = gate_in_background(rig, NEW)
    again = wait_until(lambda: bus.state().get(TRIAL), timeout=30,
                       what="the confirmation to be offered again")["deadline"]
    assert again == first
    extended = bus.call(TRIAL_SERVICE, EXTEND, minutes=30)["deadline"]
    assert 1790 < extended - time.time() <= 1800
    assert rig.records.pending().deadline == extended
    assert bus.call(TRIAL_SERVICE, REJECT) == {"rolling_back": True, "version": OLD}
    assert outcome.get(timeout=30).startswith(
        f"The upgrade to {NEW} was rolled back by the administrator")
    process.join(timeout=30)
    assert rig.records.pending().stage == ABANDONED
    assert rig.rauc.next_boot() == "A"


def test_an_upgrade_installed_in_this_boot_waits_for_its_restart(rig):
    from herald.update.pending import boot_id

    rig.run(OLD)
    rig.records.save_pending(PendingUpgrade(STANDARD, INSTALLED, "A", OLD, NEW, boot=boot_id()))
    assert rig.run(OLD) == "the upgrade installed in this boot waits for its restart"
    assert rig.records.pending() is not None


def test_a_bus_that_is_away_does_not_undo_the_decision(rig, tmp_path):
    """Redis killed or restarting while the gate decides: the slot is still
    kept (the state reaches the pages when the update service starts again)."""
    rig.redis_url = f"unix://{tmp_path / 'no-redis.sock'}"
    assert rig.run(OLD).startswith("slot A marked good")
    assert rig.rauc.grubenv()["A_TRY"] == "0"
    assert rig.reboots == []


@pytest.mark.usefixtures("kept")
def test_a_rule_on_system_ready_runs_once_the_services_answer(rig):
    bus = Bus(rig.redis_url)
    bus.set_state(READY, None)  # as on a fresh boot: an earlier test's gate said it

    def rule() -> dict:
        [found] = bus.call(events.SERVICE, events.LIST_RULES)["rules"]
        return found

    def ready() -> bool | None:
        states = bus.call(events.SERVICE, events.STATES)["states"]
        return next(s["value"] for s in states if s["topic"] == events.SYSTEM_READY.topic)

    wait_until(lambda: ready() is False, what="the device not ready yet")
    added = bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Ready", "trigger": {"topic": events.SYSTEM_READY.topic},
        "action": {"kind": events.STOP_CLIP}})
    assert added["ok"], added
    rig.run(OLD, healthy=False, timeout=1)
    assert READY not in bus.state()
    assert rule()["last_run"] is None
    rig.run(OLD)
    wait_until(lambda: rule()["last_run"] is not None, what="the rule to run on system ready")
    assert ready() is True and rule()["error"] == ""
