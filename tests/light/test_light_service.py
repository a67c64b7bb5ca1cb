"""The light service on a real bus and the simulated board's status LED:
profiles kept across restarts, refused when wrong with nothing changed, the
highest priority activity on the LED, timed ones ending by themselves, the
system's state when none runs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from herald.bus import AsyncBus
from herald.hal.led import LEDState
from herald.light import contract
from herald.light.contract import LightStatus, Profile
from herald.light.service import LightService
from herald.light.store import ProfileStore
from herald.simulation.board import SimulatedBoard
from herald.update import contract as update

ALARM = {"name": "Alarm", "pattern": "blink", "speed": "fast", "colour": "red", "priority": 9}
CALM = {"name": "Calm", "pattern": "pulse", "speed": "slow", "colour": "green",
        "intensity": "low", "priority": 2}


def run(own_redis_url: str, tmp_path: Path, body) -> SimulatedBoard:
    """`body(service, bus)` against a started service; the board shows what the LED did."""
    board = SimulatedBoard(tmp_path / "board")

    async def main() -> None:
        bus = AsyncBus(own_redis_url, source="test")
        service = LightService(bus, ProfileStore(tmp_path / "light" / "profiles.json"),
                               board.status_led())
        await service.start()
        try:
            await body(service, bus)
        finally:
            await service.stop()
            await bus.close()

    asyncio.run(main())
    return board


async def status(bus: AsyncBus) -> LightStatus:
    return LightStatus.from_dict((await bus.state())[contract.STATUS])


def test_the_highest_priority_shows_and_the_system_state_when_none(own_redis_url, tmp_path):
    async def body(service: LightService, bus: AsyncBus) -> None:
        assert service.led.state == LEDState("green", 1.0, "steady")  # normal operation
        for profile in (ALARM, CALM):
            assert (await service.save(profile))["ok"]
        alarm = (await service.start_profile("Alarm", by="test"))["activity"]
        calm = (await service.start_profile("Calm", by="test"))["activity"]
        assert service.led.state == LEDState("red", 1.0, "blink", 0.2, 0.2)
        shown = await status(bus)
        assert shown.shown == alarm and [a.name for a in shown.activities] == ["Alarm", "Calm"]
        assert (await service.stop_activity(alarm))["ok"]
        assert service.led.state == LEDState("green", 0.25, "pulse", 1.0, 1.0)
        assert (await status(bus)).shown == calm
        await service.stop_activity(calm)
        assert service.led.state == LEDState("green", 1.0, "steady")
        assert (await status(bus)).shown is None

    run(own_redis_url, tmp_path, body)


def test_a_timed_activity_ends_by_itself(own_redis_url, tmp_path):
    async def body(service: LightService, bus: AsyncBus) -> None:
        await service.save({**ALARM, "duration": contract.REPETITIONS, "amount": 1})
        await service.start_profile("Alarm")
        assert (await status(bus)).activities[0].ends is not None
        async with asyncio.timeout(10):
            while (await status(bus)).activities:
                await asyncio.sleep(0.05)
        assert service.led.state.colour == "green"

    run(own_redis_url, tmp_path, body)


def test_at_most_ten_activities(own_redis_url, tmp_path):
    async def body(service: LightService, bus: AsyncBus) -> None:
        await service.save(CALM)
        for _ in range(contract.MAX_ACTIVITIES):
            assert (await service.start_profile("Calm"))["ok"]
        refused = await service.start_profile("Calm")
        assert not refused["ok"] and "10 light activities" in refused["message"]
        assert len((await status(bus)).activities) == contract.MAX_ACTIVITIES

    run(own_redis_url, tmp_path, body)


def test_a_failed_upgrade_flashes_red_slowly(own_redis_url, tmp_path):
    async def body(service: LightService, bus: AsyncBus) -> None:
        failed = update.FirmwareStatus("2.0", "A", (), None, update.UpgradeResult(
            update.FAILED, "2.0", "RAUC could not write the slot", 0.0))
        await bus.set_state(update.STATUS, failed.to_dict())
        async with asyncio.timeout(10):
            while (await status(bus)).system != "failed upgrade":
                await asyncio.sleep(0.05)
        assert service.led.state == LEDState("red", 1.0, "blink", 1.0, 1.0)

    run(own_redis_url, tmp_path, body)


def test_profiles_are_kept_across_restarts(own_redis_url, tmp_path):
    async def save(service: LightService, bus: AsyncBus) -> None:
        await service.save(ALARM)
        await service.save({**CALM, "name": "Quiet"})
        assert (await service.save(CALM, old_name="Quiet"))["ok"]

    async def read(service: LightService, bus: AsyncBus) -> None:
        names = [p["name"] for p in (await service.profiles())["profiles"]]
        assert names == ["Alarm", "Calm"]

    run(own_redis_url, tmp_path, save)
    run(own_redis_url, tmp_path, read)


@pytest.mark.parametrize("profile, message", [
    ({**ALARM, "priority": 11}, "priority must be a whole number from 1 to 10"),
    ({**ALARM, "colour": "blue"}, "colour must be one of red, green, amber"),
    ({**ALARM, "name": ""}, "Name the profile"),
    ({**ALARM, "duration": contract.TIME}, "time must be a whole number"),
    ({**ALARM, "amount": 5}, "continuous profile has no time"),
    ({"pattern": "blink"}, "needs a name"),
    ("Alarm", "must be a JSON object"),
])
def test_a_wrong_profile_is_refused_and_nothing_changes(own_redis_url, tmp_path, profile, message):
    async def body(service: LightService, bus: AsyncBus) -> None:
        await service.save(CALM)
        answer = await service.save(profile)
        assert not answer["ok"] and message in answer["message"]
        assert [p["name"] for p in (await service.profiles())["profiles"]] == ["Calm"]

    run(own_redis_url, tmp_path, body)


def test_import_and_export(own_redis_url, tmp_path):
    async def body(service: LightService, bus: AsyncBus) -> None:
        await service.save(CALM)
        exported = json.loads(json.dumps((await service.export(["Calm"]))["profiles"]))
        clash = await service.import_profiles(exported, contract.ADD)
        assert not clash["ok"] and "exist already: Calm" in clash["message"]
        bad = await service.import_profiles([ALARM, {**ALARM, "name": "B", "speed": "warp"}],
                                            contract.ADD)
        assert not bad["ok"] and "speed" in bad["message"]
        assert [p["name"] for p in (await service.profiles())["profiles"]] == ["Calm"]
        assert (await service.import_profiles([{**CALM, "colour": "amber"}],
                                              contract.OVERWRITE))["ok"]
        assert Profile.parse((await service.export())["profiles"][0]).colour == "amber"
        assert (await service.import_profiles([ALARM], contract.REPLACE_ALL))["ok"]
        assert [p["name"] for p in (await service.profiles())["profiles"]] == ["Alarm"]
        too_many = [{**CALM, "name": f"P{i}"} for i in range(contract.MAX_PROFILES)]
        refused = await service.import_profiles(too_many, contract.ADD)
        assert not refused["ok"] and "at most 30" in refused["message"]

    run(own_redis_url, tmp_path, body)


def test_locate_shows_identify_above_every_profile_and_it_cannot_be_stopped(own_redis_url,
                                                                             tmp_path):
    async def body(service: LightService, bus: AsyncBus) -> None:
        await service.save({**ALARM, "priority": 10})
        for _ in range(contract.MAX_ACTIVITIES):
            await service.start_profile("Alarm")
        identify = await service.locate(by="test")
        assert identify["ok"]  # reserved priorities are not held back by the 10 profiles'
        shown = await status(bus)
        assert shown.shown == identify["activity"]
        assert (shown.activities[0].name, shown.activities[0].priority) == \
            ("Identify", contract.IDENTIFY)
        assert shown.activities[0].ends is not None  # it ends by itself
        assert service.led.state == LEDState("amber", 1.0, "blink", 0.2, 0.2)
        refused = await service.stop_activity(identify["activity"])
        assert not refused["ok"] and "ends by itself" in refused["message"]
        assert (await status(bus)).shown == identify["activity"]

    run(own_redis_url, tmp_path, body)
