"""The system service (herald-system): the Status page's system facts on a
real bus, published only when they change; the log files kept small;
restarts and the firmware's part of a reset, asked over the bus."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from herald.access import Level
from herald.bus import AsyncBus, Bus, state_event
from herald.environment import Environment
from herald.mqtt import contract as mqtt
from herald.params import ParamStore, default_tree
from herald.params.groups.network import SSH_ENABLED
from herald.recordings.store import RecordingStore
from herald.snmp import contract as snmp
from herald.system import contract, logs
from herald.system.on_demand import UNITS
from herald.system.reset_record import FIRMWARE, WEB_ADMIN, ResetRecord
from herald.system.service import SystemService
from tests.conftest import REPO

MARK = "test.system.mark"


def environment(redis_url: str, data_dir: Path, reboot: tuple[str, ...] = ()) -> Environment:
    data_dir.mkdir(exist_ok=True)
    return Environment("development", data_dir, redis_url, data_dir / "identity", reboot)


def service_of(env: Environment) -> SystemService:
    params = ParamStore(env.database, default_tree(), Bus(env.redis_url, source="test"))
    return SystemService(AsyncBus(env.redis_url, source="test"), env, params)


def test_facts_are_published_once_until_they_change(own_redis_url, tmp_path):
    env = environment(own_redis_url, tmp_path)

    async def scenario() -> tuple[list[str], dict]:
        bus = AsyncBus(own_redis_url, source="test")
        for key in (contract.TIME, contract.CLIENTS):
            await bus.set_state(key, None)
        changes = await bus.subscribe(state_event(contract.TIME), state_event(MARK))
        service = service_of(env)
        await service.refresh()
        await service.refresh()  # nothing changed: nothing is announced
        await bus.set_state(MARK, True)
        seen = []
        async for event in changes:
            if event.topic == state_event(MARK):
                break
            seen.append(event.topic)
        state = await bus.state()
        await changes.close()
        await bus.close()
        return seen, state

    seen, state = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert seen == [state_event(contract.TIME)]
    time_sync = contract.TimeSync.from_dict(state[contract.TIME])
    assert time_sync.source in ("chrony", "timesyncd", None)
    assert isinstance(contract.Clients.from_dict(state[contract.CLIENTS]).clients, tuple)


def test_a_log_past_its_size_is_rotated(own_redis_url, tmp_path):
    env = environment(own_redis_url, tmp_path)
    env.logs_dir.mkdir(parents=True)
    (env.logs_dir / logs.SYSTEM).write_text("x" * (logs.MAX_BYTES + 1))
    (env.logs_dir / logs.ACCESS).write_text("a short access log\n")
    asyncio.run(service_of(env).rotate())
    assert (env.logs_dir / f"{logs.SYSTEM}.1").stat().st_size == logs.MAX_BYTES + 1
    assert not (env.logs_dir / logs.SYSTEM).exists()
    assert (env.logs_dir / logs.ACCESS).read_text() == "a short access log\n"


def test_a_restart_is_announced_and_runs_the_reboot_command(own_redis_url, tmp_path):
    record = tmp_path / "reboots"
    env = environment(own_redis_url, tmp_path / "data",
                      ("sh", "-c", f"echo reboot >> {record}"))

    async def scenario() -> tuple[dict, dict]:
        service = service_of(env)
        events = await service.bus.subscribe(contract.RESTARTING)
        answer = await service.restart(by="root")
        event = await anext(aiter(events))
        await events.close()
        await service.bus.close()
        return answer, event.data

    answer, announced = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert answer == {"ok": True}
    assert contract.Restarting.from_dict(announced).by == "root"
    assert record.read_text() == "reboot\n"


def test_a_restart_that_fails_says_why(own_redis_url, tmp_path):
    env = environment(own_redis_url, tmp_path, ("false",))
    answer = asyncio.run(service_of(env).restart(by="root"))
    assert answer["ok"] is False and "could not restart" in answer["message"]


@pytest.mark.parametrize(("mode", "address"), [(contract.RESTORE, "10.1.2.3"),
                                               (contract.HARD, "192.168.0.90")])
def test_a_reset_clears_the_firmwares_part_and_leaves_the_web_admins(own_redis_url, tmp_path,
                                                                     mode, address):
    env = environment(own_redis_url, tmp_path)
    service = service_of(env)
    service.params.update({"Network.IPAddress": "10.1.2.3", "SIP.Port": "5070"}, level=Level.ADMIN)
    (env.data_dir / "clips").mkdir()
    (env.data_dir / "clips" / "doorbell.au").write_bytes(b".snd")
    recordings = RecordingStore(env.database, env.data_dir)
    recordings.open()
    recordings.start("data")
    env.logs_dir.mkdir()
    (env.logs_dir / logs.SYSTEM).write_text("kept\n")
    assert asyncio.run(service.reset(mode, by="root")) == {"ok": True}
    assert recordings.all() == []
    assert service.params.get("Network.IPAddress") == address
    assert service.params.get("SIP.Port") == "5060"
    assert not (env.data_dir / "clips").exists()
    assert (env.logs_dir / logs.SYSTEM).read_text() == "kept\n"
    record = ResetRecord(env.data_dir)
    assert record.pending(FIRMWARE) is None
    assert record.pending(WEB_ADMIN) == mode  # the web admin still has its database to empty


def test_a_reset_of_no_known_mode_changes_nothing(own_redis_url, tmp_path):
    env = environment(own_redis_url, tmp_path)
    service = service_of(env)
    service.params.update({"SIP.Port": "5070"}, level=Level.ADMIN)
    answer = asyncio.run(service.reset("everything", by="root"))
    assert answer == {"ok": False, "message": "A reset is restore or hard, not 'everything'."}
    assert service.params.get("SIP.Port") == "5070"
    assert not ResetRecord(env.data_dir).path.exists()


def test_a_reset_cut_short_is_finished_when_the_service_starts(own_redis_url, tmp_path):
    env = environment(own_redis_url, tmp_path)
    service = service_of(env)
    service.params.update({"SIP.Port": "5070"}, level=Level.ADMIN)
    # An older firmware's record: the mode alone, every owner still to clear.
    ResetRecord(env.data_dir).path.write_text("hard\n")

    async def start_and_stop() -> None:
        await service.start()
        await service.stop()
        await service.bus.close()

    asyncio.run(start_and_stop())
    assert service.params.get("SIP.Port") == "5060"
    assert ResetRecord(env.data_dir).pending(WEB_ADMIN) == contract.HARD


def test_the_record_goes_when_the_last_owner_signs_off(tmp_path):
    record = ResetRecord(tmp_path)
    record.begin(contract.HARD)
    record.begin(contract.RESTORE)  # a restore asked meanwhile does not soften it
    assert record.pending(WEB_ADMIN) == record.pending(FIRMWARE) == contract.HARD
    record.done(WEB_ADMIN)
    assert record.pending(WEB_ADMIN) is None and record.pending(FIRMWARE) == contract.HARD
    record.done(FIRMWARE)
    assert not record.path.exists()
    with pytest.raises(ValueError, match="not 'soft'"):
        record.begin("soft")


def test_rotation_keeps_the_older_logs_up_to_its_limit(own_redis_url, tmp_path):
    env = environment(own_redis_url, tmp_path)
    env.logs_dir.mkdir(parents=True)
    service = service_of(env)
    for n in range(logs.KEEP + 2):
        (env.logs_dir / logs.ACCESS).write_text(f"round {n}\n" + "x" * logs.MAX_BYTES)
        asyncio.run(service.rotate())
    kept = sorted(p.name for p in env.logs_dir.iterdir() if p.name.startswith(logs.ACCESS))
    assert len(kept) == logs.KEEP
    newest, oldest = (env.logs_dir / f"{logs.ACCESS}.{n}" for n in (1, logs.KEEP))
    assert newest.read_text().startswith(f"round {logs.KEEP + 1}\n")
    assert oldest.read_text().startswith("round 2\n")


def test_a_service_a_setting_turns_on_runs_while_it_is_on(own_redis_url, tmp_path):
    """herald-snmp, herald-mqtt, herald-sip and the SSH server: started (at herald-system's
    start too) and stopped as their settings are turned on and off."""
    record = tmp_path / "units"
    env = dataclasses.replace(environment(own_redis_url, tmp_path / "data"), unit_command=(
        "sh", "-c", f'echo "$*" >> {record}', "systemctl"))
    service = service_of(env)
    service.params.update({mqtt.ENABLED: "yes"}, Level.ADMIN)  # on since before this start

    def asked() -> list[str]:
        return record.read_text().splitlines() if record.exists() else []

    async def until(count: int) -> None:
        while len(asked()) < count:
            await asyncio.sleep(0.05)

    async def scenario() -> None:
        following = asyncio.create_task(service.on_demand.follow())
        await until(7)
        for change in ({snmp.ENABLED: "yes"}, {"Network.HostName": "lobby"}, {mqtt.ENABLED: "no"},
                       {SSH_ENABLED: "yes"}):
            await asyncio.to_thread(service.params.update, change, Level.ADMIN)
        await until(10)
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)

    asyncio.run(asyncio.wait_for(scenario(), 30))
    # Off at the start, a unit is stopped only if it runs (here the command says it does).
    assert asked() == ["is-active --quiet herald-snmp.service",
                       "--no-block stop herald-snmp.service",
                       "--no-block start herald-mqtt.service",
                       "is-active --quiet herald-sip.service",
                       "--no-block stop herald-sip.service",
                       "is-active --quiet ssh.service",
                       "--no-block stop ssh.service",
                       "--no-block start herald-snmp.service",
                       "--no-block stop herald-mqtt.service",
                       "--no-block start ssh.service"]


def test_a_unit_that_would_not_start_is_tried_again_at_the_next_change(own_redis_url, tmp_path,
                                                                       caplog):
    env = dataclasses.replace(environment(own_redis_url, tmp_path / "data"), unit_command=(
        "sh", "-c", 'echo "access denied" >&2; exit 1', "systemctl"))
    service = service_of(env)
    service.params.update({snmp.ENABLED: "yes"}, Level.ADMIN)
    asyncio.run(service.on_demand.apply())
    assert "systemctl --no-block start herald-snmp.service failed: access denied" in caplog.text
    assert "herald-snmp.service" not in service.on_demand.applied  # tried again next time


def test_every_unit_started_on_demand_ships_with_the_right_to_start_it():
    """Each unit herald-system starts and stops is installed by the firmware
    package (or is Debian's ssh) and named in the polkit rule that lets user
    herald start and stop it: a unit missing from either fails on the device only."""
    firmware = REPO / "layers/meta-herald/recipes-firmware/herald-firmware"
    recipe = (firmware / "herald-firmware.bb").read_text()
    rule = (firmware / "files/herald-units.rules").read_text()
    for unit in UNITS.values():
        assert f'"{unit}"' in rule, unit
        if unit != "ssh.service":
            assert f"file://{unit}" in recipe and (firmware / "files" / unit).exists(), unit
