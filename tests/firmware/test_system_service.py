"""herald-core's system service: the Status page's system facts on a real
bus, published only when they change, and the log files kept small."""

from __future__ import annotations

import asyncio

from herald.bus import AsyncBus, state_event
from herald.environment import Environment
from herald.system import contract, logs
from herald.system.service import SystemService

MARK = "test.system.mark"


def test_facts_are_published_once_until_they_change(own_redis_url, tmp_path):
    env = Environment("development", tmp_path, own_redis_url, tmp_path / "identity")

    async def scenario() -> tuple[list[str], dict]:
        bus = AsyncBus(own_redis_url, source="test")
        for key in (contract.TIME, contract.CLIENTS):
            await bus.set_state(key, None)
        changes = await bus.subscribe(state_event(contract.TIME), state_event(MARK))
        service = SystemService(bus, env)
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
    env = Environment("development", tmp_path, own_redis_url, tmp_path / "identity")
    env.logs_dir.mkdir(parents=True)
    (env.logs_dir / logs.SYSTEM).write_text("x" * (logs.MAX_BYTES + 1))
    (env.logs_dir / logs.ACCESS).write_text("a short access log\n")
    service = SystemService(AsyncBus(own_redis_url, source="test"), env)
    asyncio.run(service.rotate())
    assert (env.logs_dir / f"{logs.SYSTEM}.1").stat().st_size == logs.MAX_BYTES + 1
    assert not (env.logs_dir / logs.SYSTEM).exists()
    assert (env.logs_dir / logs.ACCESS).read_text() == "a short access log\n"
