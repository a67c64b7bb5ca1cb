"""Benchmark of the event rules.

Prints:
* rule evaluation throughput with the manual's maximum of 256 rules, all
  referring to the event that occurs (the worst case: every rule is
  evaluated on every occurrence), as occurrences per second and as time per
  occurrence; the engine alone, its actions doing nothing;
* event-to-first-sample latency of a "play clip" rule on the whole device
  (web, worker, herald-core on the file-backed sound card): from the call that
  activates a virtual input to the first sample of the clip written to ALSA
  (median, p95). Issue budget: 100 ms on the device.

Usage: .venv/bin/python bench/event_rules.py [--plays 30] [--json]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from audio_engine import Started, percentile
from figures import arguments, figures

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware"), str(REPO / "webadmin")]

from herald.events import contract  # noqa: E402
from herald.events.engine import Engine  # noqa: E402
from herald.events.rules import Rule  # noqa: E402
from tests.audio.signals import encode, sine  # noqa: E402
from tests.audio.webstack import audio_device  # noqa: E402


class Idle:
    """Actions that do nothing: what is timed is the engine's own work."""

    async def play_clip(self, clip: int, volume: int, repeat: int) -> int:
        return 0

    async def stop_clip(self) -> None:
        return None

    async def stop_voice(self, voice: int) -> None:
        return None


async def throughput(occurrences: int) -> float:
    """Seconds per occurrence with 256 rules on the manual trigger, each with a
    further condition on a virtual input."""
    async def ignore(_notification: contract.Notification) -> None:
        return None

    engine = Engine(Idle(), ignore)
    rules = {n: Rule.from_dict({
        "name": f"rule {n}", "trigger": {"topic": contract.MANUAL_TRIGGER.topic},
        "conditions": [{"topic": contract.VIRTUAL_INPUT.topic, "source": n % 32 + 1}],
        "action": {"kind": "play_clip", "clip": 1}}) for n in range(contract.MAX_RULES)}
    await engine.load(rules)
    start = time.perf_counter()
    for n in range(occurrences):
        await engine.occur(contract.MANUAL_TRIGGER.topic, 1, n % 2 == 0)
    return (time.perf_counter() - start) / occurrences


def rule_latency(plays: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="herald-events-bench-") as tmp, \
            audio_device(Path(tmp)) as device:
        operator = device.stack.accounts["operator"]
        with device.stack.vapix(operator) as client:
            reply = client.post("/axis-cgi/mediaclip.cgi?action=upload&media=audio", files={
                "file": ("beep.wav", encode(sine(1000, 0.2, 44100), 44100, "wav"), "audio/basic")})
            clip = int(reply.text.split()[1].removeprefix("Uploaded="))
        bus = device.stack.bus()
        added = bus.call(contract.SERVICE, contract.ADD_RULE, by="bench", rule={
            "name": "Beep", "trigger": {"topic": contract.VIRTUAL_INPUT.topic, "source": 1},
            "action": {"kind": "play_clip", "clip": clip}})
        assert added["ok"], added
        started = Started(device.stack.redis_url)
        times = []
        for _ in range(plays):
            device.wait_idle()
            bus.call(contract.SERVICE, contract.SET_VIRTUAL_INPUT, port=1, active=False)
            mark = len(started.events)
            sent = time.time()
            bus.call(contract.SERVICE, contract.SET_VIRTUAL_INPUT, port=1, active=True)
            event = started.wait("audio.clip.started", mark)
            times.append((event.data["at"] - sent) * 1000)
        return times


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--plays", type=int, default=30)
    args = parser.parse_args()
    with figures(args) as report:
        seconds = asyncio.run(throughput(2000))
        report.add("rules_256_occurrences_per_s", 1 / seconds, "1/s")
        report.add("rules_256_per_occurrence", seconds * 1000, "ms")
        times = rule_latency(args.plays)
        report.add("rule_play_plays", len(times), "count")
        report.add("rule_play_first_sample_median", statistics.median(times), "ms")
        report.add("rule_play_first_sample_p95", percentile(times, 0.95), "ms")


if __name__ == "__main__":
    main()
