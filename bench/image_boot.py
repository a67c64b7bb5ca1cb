"""Benchmark of Herald OS in QEMU (TCG, 2 vCPUs, 1 GiB): boot time and memory.

Boots the deployed test image (the product image plus a debug port, same
services) on a throwaway snapshot and prints:

* seconds from QEMU start to the first HTTP answer on the forwarded port;
* seconds until the health check marked the slot good;
* systemd's own split (kernel, initrd if any, userspace), as systemd-analyze
  computes it;
* memory of each firmware service (cgroup) and of the whole guest;
* event to first sample of a "play clip" rule on the device (issue 11's
  budget: 100 ms): a rule plays a short clip when virtual input 1 goes
  active; measured inside the guest, from the bus call that activates the
  input to herald-core's first write of the clip to ALSA (median, p95), so
  the host's QEMU-to-HTTP path is not in it;
* the same first HTTP answer and systemd split for the boot-time yardstick
  (herald-image-yardstick: the same kernel, boot chain, disk layout and base
  configuration, with a static HTTP server instead of Herald's services),
  booted in the same run, and the test image's first answer as a ratio of
  the yardstick's: a figure that holds on a noisy host.

TCG timings move with host load: the host's CPU pressure (/proc/pressure/cpu,
percent of time some task waited for a CPU) at the start is printed alongside.
Usage: .venv/bin/python bench/image_boot.py [--json]
(after kas build kas.yml:kas/test.yml and kas build kas.yml:kas/yardstick.yml)
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from audio_engine import percentile
from figures import Report, arguments, figures, note

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qemu.vm import Machine, deployed_image, forwarded_ports

SERVICES = ("herald-web", "herald-core", "herald-worker", "redis-server")
ROOT = ("root", "Bench root 1!")
RULE_PLAYS = 15
# Run in the guest as the services' user: times a rule's clip from the call
# that activates the input to the clip's first write to ALSA; prints the
# milliseconds as JSON.
RULE_LATENCY = """
import json, os, sys, threading, time
import redis
from herald.audio import contract as audio
from herald.bus import EVENT_PREFIX, Bus, Event
from herald.events import contract as events

bus = Bus(os.environ["REDIS_URL"])
added = bus.call(events.SERVICE, events.ADD_RULE, by="bench", rule={
    "name": "Bench beep", "trigger": {"topic": events.VIRTUAL_INPUT.topic, "source": 1},
    "action": {"kind": "play_clip", "clip": int(sys.argv[1])}})
assert added["ok"], added
pubsub = redis.Redis.from_url(os.environ["REDIS_URL"]).pubsub()
pubsub.psubscribe(EVENT_PREFIX + "audio.clip.*")
pubsub.get_message(timeout=5)
seen = []
def listen():
    while True:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
        if message:
            seen.append(Event.decode(message["data"]))
threading.Thread(target=listen, daemon=True).start()
times = []
for _ in range(int(sys.argv[2])):
    while not bus.call(audio.SERVICE, audio.STATUS)["output"]["idle"]:
        time.sleep(0.05)
    bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=1, active=False)
    mark, sent = len(seen), time.time()
    bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=1, active=True)
    deadline = time.monotonic() + 30
    while not [e for e in seen[mark:] if e.topic == "audio.clip.started"]:
        assert time.monotonic() < deadline, "no clip started"
        time.sleep(0.002)
    started = [e for e in seen[mark:] if e.topic == "audio.clip.started"][0]
    times.append((started.data["at"] - sent) * 1000)
print(json.dumps(times))
"""
YARDSTICK = "herald-image-yardstick"  # kas build kas.yml:kas/yardstick.yml


def first_http_answer(url: str, started: float, timeout: float = 900) -> float:
    while time.monotonic() - started < timeout:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return time.monotonic() - started
        except urllib.error.HTTPError:  # an answer, even if not 200
            return time.monotonic() - started
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"no HTTP answer from {url} in {timeout} s")


def booted_slot_good(machine: Machine) -> bool:
    return any(s["state"] == "booted" and s.get("boot_status") == "good"
               for s in machine.slots().values())


def report_pressure(report: Report) -> None:
    """The host's CPU pressure now ("some" line: avg10, avg60 in percent)."""
    fields = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()[1:]
    averages = dict(field.split("=", 1) for field in fields)
    report.add("host_cpu_pressure_avg10", float(averages["avg10"]), "%")
    report.add("host_cpu_pressure_avg60", float(averages["avg60"]), "%")


def report_systemd(report: Report, machine: Machine, prefix: str = "") -> None:
    """systemd's boot split, from the timestamps systemd-analyze reads (microseconds
    since the kernel started): kernel until the initrd or userspace, initrd until
    userspace, userspace until the boot finished."""
    note(f"{prefix}systemd:", machine.run("systemd-analyze | head -1").output.strip())
    names = ("InitRDTimestampMonotonic", "UserspaceTimestampMonotonic",
             "FinishTimestampMonotonic")
    output = machine.run("systemctl show" + "".join(f" -p {name}" for name in names),
                         check=True).output
    stamps = dict(line.split("=", 1) for line in output.split() if "=" in line)
    initrd, userspace, finish = (int(stamps[name]) / 1e6 for name in names)
    report.add(f"{prefix}systemd_kernel", initrd or userspace, "s")
    if initrd:
        report.add(f"{prefix}systemd_initrd", userspace - initrd, "s")
    if finish:
        report.add(f"{prefix}systemd_userspace", finish - userspace, "s")
    else:
        note(f"{prefix}systemd: the boot has not finished, no userspace time")


@contextlib.contextmanager
def booted(image_name: str, workdir: Path) -> Iterator[tuple[Machine, float]]:
    """A throwaway snapshot of a deployed image, powered on; yields the machine
    and the seconds from QEMU's start to the first HTTP answer."""
    image = deployed_image(image_name)
    note(f"image: {image}")
    workdir.mkdir(exist_ok=True)
    machine = Machine(image=image, workdir=workdir, snapshot=True, ports=forwarded_ports())
    started = time.monotonic()
    machine.boot()
    try:
        yield machine, first_http_answer(machine.http_url, started)
    finally:
        machine.shutdown()


def report_yardstick(report: Report, workdir: Path) -> float:
    """The yardstick's first HTTP answer and systemd split."""
    with booted(YARDSTICK, workdir) as (machine, answered):
        report.add("yardstick_first_http_answer", answered, "s")
        machine.wait_until_up()
        report_systemd(report, machine, "yardstick_")
    return answered


def report_rule_latency(report: Report, machine: Machine) -> None:
    """A rule's clip on the booted test image: the first account and a clip
    made over HTTP as a new owner would, the timing done inside the guest."""
    import httpx

    from tests.audio.signals import encode, sine

    base = machine.http_url.rstrip("/")
    made = httpx.post(base + "/axis-cgi/pwdgrp.cgi", timeout=60, data={
        "action": "add", "user": ROOT[0], "pwd": ROOT[1], "grp": "root",
        "sgrp": "admin:operator:viewer:ptz"})
    made.raise_for_status()
    with httpx.Client(base_url=base, timeout=60, auth=httpx.DigestAuth(*ROOT)) as client:
        reply = client.post("/axis-cgi/mediaclip.cgi?action=upload&media=audio", files={
            "file": ("beep.wav", encode(sine(1000, 0.2, 44100), 44100, "wav"), "audio/basic")})
        clip = int(reply.text.split()[1].removeprefix("Uploaded="))
    machine.run(f"cat > /tmp/rule_latency.py <<'EOF'\n{RULE_LATENCY}\nEOF", check=True)
    output = machine.run(
        "set -a; . /etc/default/herald; set +a; runuser -u herald -- "
        f"/usr/lib/herald/venv/bin/python /tmp/rule_latency.py {clip} {RULE_PLAYS}",
        timeout=600, check=True).output
    times = json.loads(output.strip().splitlines()[-1])
    report.add("rule_play_first_sample_median", statistics.median(times), "ms")
    report.add("rule_play_first_sample_p95", percentile(times, 0.95), "ms")


def main() -> None:
    options = arguments(__doc__).parse_args()
    with figures(options) as report, \
            tempfile.TemporaryDirectory(prefix="herald-boot-bench-") as tmp:
        report_pressure(report)
        yardstick = report_yardstick(report, Path(tmp) / "yardstick")
        started = time.monotonic()
        with booted("herald-image-test", Path(tmp) / "test") as (machine, answered):
            report.add("first_http_answer", answered, "s")
            report.add("first_http_answer_over_yardstick", answered / yardstick, "x")
            machine.wait_until_up()
            while not booted_slot_good(machine):
                time.sleep(2)
            report.add("slot_marked_good", time.monotonic() - started, "s")
            report_systemd(report, machine)
            total = 0.0
            for service in SERVICES:
                value = machine.run(f"systemctl show -p MemoryCurrent --value {service}").output
                mib = int(value.strip()) / 2**20
                total += mib if service != "redis-server" else 0
                report.add(f"memory_{service.replace('-', '_')}", mib, "MiB")
            report.add("memory_firmware_total", total, "MiB")  # herald-web, -core, -worker
            used, size = machine.run("free -m | awk '/^Mem:/ {print $3, $2}'").output.split()
            report.add("guest_memory_used", int(used), "MiB")
            report.add("guest_memory_total", int(size), "MiB")
            report_rule_latency(report, machine)


if __name__ == "__main__":
    main()
