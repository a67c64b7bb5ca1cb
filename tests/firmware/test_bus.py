"""The bus carries events, state and calls between real processes' clients."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from herald.bus import AsyncBus, Bus, CallFailed, Event, ServiceUnavailable, state_event
from tests.conftest import frozen, wait_until

SERVICE = "bustest"  # not a real service's name: the session's Redis is shared


@pytest.fixture
def bus(redis_url: str) -> Bus:
    return Bus(redis_url, source="test")


class AudioLikeService:
    """A core service on its own event loop in a thread, as herald-core runs it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.played: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def play_clip(self, clip: str, volume: int = 50) -> dict:
        if not 0 <= volume <= 100:
            raise ValueError("volume must be 0 to 100")
        self.played.append(clip)
        return {"clip": clip, "volume": volume}

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=5)

    async def _start(self) -> None:
        self.bus = AsyncBus(self.url, source="core")
        self.task = asyncio.create_task(self.bus.serve(SERVICE, {"play_clip": self.play_clip}))

    async def _stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.bus.close()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


@pytest.fixture
def service(bus: Bus, redis_url: str) -> Iterator[AudioLikeService]:
    svc = AudioLikeService(redis_url)
    svc.start()
    yield svc
    svc.stop()


def test_call_returns_the_service_answer(bus: Bus, service: AudioLikeService) -> None:
    assert bus.call(SERVICE, "play_clip", clip="bell.wav", volume=80) == {
        "clip": "bell.wav", "volume": 80}
    assert service.played == ["bell.wav"]


def test_refused_call_says_why_and_service_keeps_serving(
    bus: Bus, service: AudioLikeService
) -> None:
    with pytest.raises(CallFailed, match="volume must be 0 to 100") as refused:
        bus.call(SERVICE, "play_clip", clip="bell.wav", volume=101)
    assert refused.value.kind == "ValueError"
    with pytest.raises(CallFailed, match="unknown method 'explode'"):
        bus.call(SERVICE, "explode")
    with pytest.raises(CallFailed, match="unexpected keyword"):
        bus.call(SERVICE, "play_clip", clip="a.wav", colour="red")
    assert bus.call(SERVICE, "play_clip", clip="after.wav") == {"clip": "after.wav", "volume": 50}
    assert service.played == ["after.wav"]


def test_malformed_call_is_dropped_not_fatal(bus: Bus, service: AudioLikeService) -> None:
    bus.redis.rpush("herald:call:" + SERVICE, b"\xff not json", b"[1, 2]", b'{"method": "x"}')
    assert bus.call(SERVICE, "play_clip", clip="ok.wav")["clip"] == "ok.wav"


def test_call_without_service_fails_fast_and_is_withdrawn(bus: Bus, redis_url: str) -> None:
    with pytest.raises(ServiceUnavailable, match="bustest service did not answer"):
        bus.call(SERVICE, "play_clip", timeout=0.3, clip="late.wav")
    late = AudioLikeService(redis_url)
    late.start()
    try:
        assert bus.call(SERVICE, "play_clip", clip="now.wav")["clip"] == "now.wav"
        assert late.played == ["now.wav"], "a withdrawn call must not run later"
    finally:
        late.stop()


def test_events_reach_matching_listeners_only(bus: Bus, redis_url: str) -> None:
    received: list[Event] = []

    def listen() -> None:
        for event in Bus(redis_url).listen("bustest.*"):
            received.append(event)
            if event.topic == "bustest.clip.stopped":
                return

    patterns_before = bus.redis.execute_command("PUBSUB", "NUMPAT")
    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    wait_until(lambda: bus.redis.execute_command("PUBSUB", "NUMPAT") > patterns_before,
               what="subscription")
    bus.publish("network.ip.changed", address="10.0.0.2")
    bus.publish("bustest.clip.started", clip="bell.wav")
    bus.publish("bustest.clip.stopped", clip="bell.wav")
    thread.join(timeout=5)
    assert [e.topic for e in received] == ["bustest.clip.started", "bustest.clip.stopped"]
    assert received[0].data == {"clip": "bell.wav"} and received[0].source == "test"


def test_state_is_kept_and_announced(bus: Bus, redis_url: str) -> None:
    async def scenario() -> list[Event]:
        abus = AsyncBus(redis_url, source="core")
        seen: list[Event] = []

        events = await abus.subscribe("state.bustest.*")

        async def watch() -> None:
            async for event in events:
                seen.append(event)
                if event.data["value"] is None:
                    return

        watcher = asyncio.create_task(watch())
        await abus.set_state("bustest.clip.playing", {"clip": "bell.wav"})
        assert (await abus.state())["bustest.clip.playing"] == {"clip": "bell.wav"}
        assert bus.state()["bustest.clip.playing"] == {"clip": "bell.wav"}
        bus.set_state("bustest.clip.playing", None)
        await asyncio.wait_for(watcher, 5)
        await events.close()
        await abus.close()
        return seen

    seen = asyncio.run(scenario())
    assert [e.data["value"] for e in seen] == [{"clip": "bell.wav"}, None]
    assert "bustest.clip.playing" not in bus.state()


def test_topics_with_wildcards_are_refused(bus: Bus) -> None:
    with pytest.raises(ValueError, match="bad topic"):
        bus.publish("audio.*", x=1)


def test_a_subscription_misses_nothing_published_after_it_returns(bus: Bus, redis_url: str) -> None:
    """What a page relies on: subscribe, send what is true now, then every change.
    A change made right after subscribe() returns (here from another client,
    before this one reads anything) must still arrive."""
    async def scenario() -> list[str]:
        abus = AsyncBus(redis_url)
        events = await abus.subscribe("bustest.first.*", "bustest.second.*")
        bus.publish("bustest.first.now")
        bus.publish("bustest.other")
        bus.publish("bustest.second.now")
        topics = []
        async for event in events:
            topics.append(event.topic)
            if len(topics) == 2:
                break
        await events.close()
        await abus.close()
        return topics

    assert asyncio.run(asyncio.wait_for(scenario(), 10)) == [
        "bustest.first.now", "bustest.second.now"]


def test_a_concurrent_service_answers_a_quick_call_while_a_long_one_runs(redis_url):
    async def scenario() -> tuple[str, str]:
        server_bus, caller = AsyncBus(redis_url, source="test"), AsyncBus(redis_url)
        release = asyncio.Event()

        async def slow() -> str:
            await release.wait()
            return "slow"

        async def quick() -> str:
            return "quick"

        server = asyncio.create_task(server_bus.serve(
            "test-concurrent", {"slow": slow, "quick": quick}, concurrent=True))
        try:
            slow_call = asyncio.create_task(caller.call("test-concurrent", "slow", timeout=10))
            # Served one at a time, this would wait behind the slow call and time out.
            quick_answer = await caller.call("test-concurrent", "quick", timeout=5)
            release.set()
            return quick_answer, await slow_call
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
            await server_bus.close()
            await caller.close()

    assert asyncio.run(asyncio.wait_for(scenario(), 20)) == ("quick", "slow")


def test_a_long_call_outlives_redis_being_slow_and_loses_no_reply(own_redis_url, caplog):
    """As while firmware installs on a busy device: Redis stops answering in the
    middle of the wait (longer than a client waits for one command), and the
    service's reply is written while it is stopped."""
    began, release = threading.Event(), threading.Event()

    async def install() -> str:
        began.set()
        await asyncio.to_thread(release.wait, 30)
        return "installed"

    async def serve(stop: asyncio.Event) -> None:
        server_bus = AsyncBus(own_redis_url, source="test")
        server = asyncio.create_task(server_bus.serve("test-slow", {"install": install}))
        await stop.wait()
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        await server_bus.close()

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    serving = threading.Thread(target=loop.run_until_complete, args=(serve(stop),))
    serving.start()
    caplog.set_level(logging.WARNING, logger="herald.bus")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        try:
            answer = pool.submit(Bus(own_redis_url).call, "test-slow", "install", timeout=60)
            assert began.wait(10), "the service never took the call"
            with frozen(own_redis_url):
                release.set()  # the reply waits on the stopped Redis
                wait_until(lambda: "Redis was slow to answer" in caplog.text or answer.done(),
                           what="the caller to find Redis not answering")
            assert answer.result(timeout=30) == "installed"
        finally:
            release.set()
            loop.call_soon_threadsafe(stop.set)
            serving.join(timeout=10)
            loop.close()


def test_changes_of_state_made_at_once_are_kept_and_told_in_their_order(own_redis_url):
    """As a button pressed and let go at once: the last change made is the state
    that stays, and listeners hear the changes in the order they were made."""
    async def scenario() -> tuple[Any, list[Any]]:
        bus, listener = AsyncBus(own_redis_url, source="test"), AsyncBus(own_redis_url)
        changes = await listener.subscribe(state_event("test.button"))
        await asyncio.gather(*(bus.set_state("test.button", n % 2 == 0) for n in range(50)))
        heard = []
        async for event in changes:
            heard.append(event.data["value"])
            if len(heard) == 50:
                break
        stays = (await bus.state())["test.button"]
        await changes.close()
        await bus.close()
        await listener.close()
        return stays, heard

    stays, heard = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert heard == [n % 2 == 0 for n in range(50)]
    assert stays is False  # the last change, n = 49
