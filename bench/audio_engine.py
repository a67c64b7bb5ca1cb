"""Benchmark of the audio engine on the whole device (web, worker, herald-core)
with the file-backed sound card, and of clip decoding.

Prints:
* time from a play request to the first sample written to ALSA (median, p99),
  for a call on the bus and for VAPIX playclip.cgi (HTTP Digest), for a WAV
  and an MP3 clip;
* transmit.cgi end-to-end delay: a client sending mu-law at 16 kHz in real
  time, 20 ms per chunk; from the moment a chunk is sent to the moment the
  simulated speaker plays it (median, p99), and how much of it is the
  simulated card's own buffering (ALSA buffer + pipe), which real hardware
  replaces with its own;
* CPU use of herald-core (percent of one core) idle, playing an MP3 clip and
  playing live audio;
* decode time per second of audio for each clip format (decode and convert to
  the engine's 48 kHz mono), and the ratio to WAV (the ratio is what to watch on
  a noisy machine).

Usage: .venv/bin/python bench/audio_engine.py [--plays 50] [--seconds 10] [--json]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import redis
from figures import Report, arguments, figures

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware"), str(REPO / "webadmin")]

from herald.audio.decode import decoded_blocks  # noqa: E402
from herald.audio.g711 import ulaw_encode  # noqa: E402
from herald.audio.pcm import float_to_s16  # noqa: E402
from herald.bus import EVENT_PREFIX, Event  # noqa: E402
from herald.simulation.sound_card import CHUNK_FRAMES, PIPE_BYTES  # noqa: E402
from tests.audio.signals import bursts, encode, sine  # noqa: E402
from tests.audio.webstack import AudioDevice, audio_device  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


class Started:
    """Collects audio.*.started events (their `at` is the first write to ALSA)."""

    def __init__(self, url: str) -> None:
        self.pubsub = redis.Redis.from_url(url).pubsub()
        self.pubsub.psubscribe(EVENT_PREFIX + "audio.clip.*")
        self.pubsub.get_message(timeout=5)
        self.events: list[Event] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while True:
                message = self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                if message:
                    self.events.append(Event.decode(message["data"]))
        except redis.ConnectionError:
            return  # the device was shut down at the end

    def wait(self, topic: str, after: int) -> Event:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [e for e in self.events[after:] if e.topic == topic]
            if found:
                return found[0]
            time.sleep(0.001)
        raise TimeoutError(topic)


def play_latency(device: AudioDevice, clip: int, plays: int, http: httpx.Client | None
                 ) -> list[float]:
    started = Started(device.stack.redis_url)
    times = []
    for _ in range(plays):
        device.wait_idle()
        mark = len(started.events)
        sent = time.time()
        if http is None:
            device.call("play_clip", clip=clip)
        else:
            http.get("/axis-cgi/playclip.cgi", params={"clip": clip}).raise_for_status()
        event = started.wait("audio.clip.started", mark)
        times.append((event.data["at"] - sent) * 1000)
        started.wait("audio.clip.stopped", mark)
    return times


def transmit_delay(device: AudioDevice, seconds: int) -> list[float]:
    """Send a 50 ms burst each second of a real-time stream; find when each was played."""
    rate, chunk = 16000, 320  # 20 ms
    signal = np.zeros(rate * seconds, dtype=np.float32)
    starts = [rate // 2 + rate * k for k in range(seconds - 1)]
    for start in starts:
        signal[start : start + rate // 20] = sine(1000, 0.05, rate)
    body = ulaw_encode(float_to_s16(signal))
    sent_at: dict[int, float] = {}

    def paced():
        begin = time.monotonic()
        for offset in range(0, len(body), chunk):
            delay = begin + offset / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for start in starts:
                if offset <= start < offset + chunk:
                    sent_at[start] = time.time() + (start - offset) / rate
            yield body[offset : offset + chunk]

    device.start_listening()
    viewer = device.stack.accounts["viewer"]
    with httpx.Client(base_url=device.stack.http_url, timeout=60,
                      auth=httpx.DigestAuth(viewer.name, viewer.password)) as client:
        client.get("/axis-cgi/stopclip.cgi")  # Digest challenge cached: the stream goes once
        client.post("/axis-cgi/audio/transmit.cgi", content=paced(),
                    headers={"Content-Type": "audio/axis-mulaw-128"}).raise_for_status()
    heard = device.heard()
    played = np.loadtxt(device.card.timeline)
    frames, moments = played[:, 0], played[:, 1]
    delays = []
    for burst, start in zip(bursts(heard, threshold=0.05), starts, strict=False):
        frame = device.mark + burst.start
        delays.append((float(np.interp(frame, frames, moments)) - sent_at[start]) * 1000)
    return delays


def cpu_percent(pid: int, seconds: float) -> float:
    def ticks() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    before, start = ticks(), time.monotonic()
    time.sleep(seconds)
    return (ticks() - before) / TICK / (time.monotonic() - start) * 100


def music(rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    tones = sum(np.sin(2 * np.pi * f * t) / (i + 1) for i, f in enumerate((220, 330, 550, 880)))
    noise = np.random.default_rng(1).normal(0, 0.05, len(t))
    return (0.25 * tones + noise).astype(np.float32)


def decode_costs(seconds: float) -> dict[str, float]:
    costs = {}
    for fmt, rate in (("wav", 44100), ("au", 8000), ("mp3", 44100), ("opus", 48000),
                      ("vorbis", 44100)):
        data = encode(music(rate, seconds), rate, fmt)
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            produced = sum(len(b) for b in decoded_blocks(io.BytesIO(data), 48000))
            runs.append(time.perf_counter() - start)
        costs[fmt] = statistics.median(runs) * 1000 / (produced / 48000)
    return costs


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--plays", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    with figures(args) as report:
        costs = decode_costs(args.seconds)
        for fmt, cost in costs.items():
            report.add(f"decode_{fmt}", cost, "ms/s")
            if fmt != "wav":
                report.add(f"decode_{fmt}_over_wav", cost / costs["wav"], "x")
        measure_device(report, args.plays, args.seconds)


def measure_device(report: Report, plays: int, seconds: int) -> None:
    """The figures of a running device: play latency, transmit.cgi delay, CPU."""
    with tempfile.TemporaryDirectory(prefix="herald-audio-bench-") as tmp, \
            audio_device(Path(tmp), timeline=True) as device:
        operator = device.stack.accounts["operator"]
        clips = {}
        with device.stack.vapix(operator) as client:
            for fmt, name in (("wav", "short.wav"), ("mp3", "short.mp3")):
                data = encode(sine(1000, 0.2, 44100), 44100, fmt)
                reply = client.post("/axis-cgi/mediaclip.cgi?action=upload&media=audio",
                                    files={"file": (name, data, "audio/basic")})
                clips[fmt] = int(reply.text.split()[1].removeprefix("Uploaded="))
            long_mp3 = encode(music(44100, 5.0), 44100, "mp3")
            reply = client.post("/axis-cgi/mediaclip.cgi?action=upload&media=audio",
                                files={"file": ("music.mp3", long_mp3, "audio/basic")})
            music_clip = int(reply.text.split()[1].removeprefix("Uploaded="))

        report.add("plays", plays, "count")
        viewer = device.stack.accounts["viewer"]
        with httpx.Client(base_url=device.stack.http_url, timeout=30,
                          auth=httpx.DigestAuth(viewer.name, viewer.password)) as http:
            for fmt, clip in clips.items():
                for via, client in (("bus_call", None), ("playclip_cgi", http)):
                    times = play_latency(device, clip, plays, client)
                    report.add(f"play_{fmt}_{via}_median", statistics.median(times), "ms")
                    report.add(f"play_{fmt}_{via}_p99", percentile(times, 0.99), "ms")

        delays = transmit_delay(device, seconds)
        card = (device.card.period_frames * 4 + PIPE_BYTES // 2 + CHUNK_FRAMES) / 48000 * 1000
        report.add("transmit_bursts", len(delays), "count")
        report.add("transmit_median", statistics.median(delays), "ms")
        report.add("transmit_p99", percentile(delays, 0.99), "ms")
        report.add("transmit_simulated_card_buffers", card, "ms")

        pid = device.stack.processes["core"].pid
        device.wait_idle()
        report.add("core_cpu_idle", cpu_percent(pid, 5), "%")
        device.call("play_clip", clip=music_clip, repeat=-1)
        report.add("core_cpu_playing_mp3", cpu_percent(pid, seconds), "%")
        device.call("stop_clip")
        device.wait_idle()
        live = threading.Thread(target=transmit_delay, args=(device, seconds + 1))
        live.start()
        time.sleep(0.5)
        streaming = cpu_percent(pid, seconds - 1)
        live.join()
        report.add("core_cpu_playing_live_mulaw", streaming, "%")


if __name__ == "__main__":
    main()
