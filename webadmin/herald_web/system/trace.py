"""System > Logs > Network trace: tcpdump on every interface of the device
for a chosen time, into one pcap file on the data partition.

The worker runs it (herald-worker has CAP_NET_RAW and CAP_NET_ADMIN); its
progress is the bus state TRACE, which the page follows over its websocket.
One trace runs at a time: starting claims a Redis key that the trace lets go
of when it ends (and that expires on its own if the worker dies mid-trace).
A new trace replaces the previous one's file. Stopping early keeps what was
captured.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import pwd
import re
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from herald.bus import state_event
from herald.payload import Payload
from herald.system.identity import this_device
from herald_web.device import async_bus, bus

TRACE = "system.trace"  # the bus state: the latest trace, as TraceState
CLAIM = "herald:system:trace"  # holds the running trace's id
STOP = "herald:system:trace:stop"  # the id of a trace asked to stop early

# The trace times offered, in seconds (the manual: "in seconds or minutes").
DURATIONS = (30, 60, 90, 120, 300, 600, 900, 1800)

# The bound on the file: the data partition also holds the settings database,
# clips and recordings, which a full partition would break. At most
# MAX_PACKETS packets (-c) of at most SNAPLEN bytes (-s: a full Ethernet frame
# with Linux's cooked header) make at most MAX_BYTES; a trace stops early at
# the limit and says so.
SNAPLEN = 1600
MAX_PACKETS = 50_000
MAX_BYTES = 24 + MAX_PACKETS * (16 + SNAPLEN)
FREE_SPACE_MARGIN = 16 * 2**20  # left free beside a full trace

POLL_SECONDS = 0.25
REPORT_SECONDS = 2.0  # how often a running trace tells its progress
LISTEN_SECONDS = 10.0  # tcpdump opens every interface within this
STOP_SECONDS = 10.0  # tcpdump flushes and exits on SIGINT within this
CLAIM_MARGIN_SECONDS = 120
NET = Path("/sys/class/net")

STARTING, CAPTURING, DONE, FAILED = "starting", "capturing", "done", "failed"
RUNNING = (STARTING, CAPTURING)
CAPTURED = re.compile(r"^(\d+) packets? captured", re.MULTILINE)


class TraceError(Exception):
    """A trace that cannot start; the message says why, for the page and VAPIX."""


@dataclass(frozen=True)
class TraceState(Payload):
    """The latest trace as the page shows it."""

    id: str
    stage: str
    duration: int
    by: str
    started: float = dataclasses.field(default_factory=time.time)
    elapsed: float = 0.0
    bytes: int = 0
    packets: int = 0
    message: str = ""
    filename: str = ""  # the download's name, once there is a file
    interface: str = "any"  # every interface, unless VAPIX names one

    @property
    def percent(self) -> int:
        return 100 if self.stage == DONE else min(99, int(100 * self.elapsed / self.duration))


def folder() -> Path:
    return settings.ENVIRONMENT.data_dir / "trace"


def pcap() -> Path:
    """The one trace file (its name ends in .pcap: the tcpdump AppArmor
    profile lets it write such files only)."""
    return folder() / "trace.pcap"


def parse_duration(raw: object) -> int:
    """The trace time in seconds, one of DURATIONS, or TraceError."""
    choices = ", ".join(str(d) for d in DURATIONS)
    try:
        seconds = int(str(raw))
    except ValueError:
        raise TraceError(f"the trace time must be one of {choices} seconds") from None
    if seconds not in DURATIONS:
        raise TraceError(f"the trace time must be one of {choices} seconds, not {seconds}")
    return seconds


def parse_interface(raw: object) -> str:
    """A network interface of the device (or "any": all of them), or TraceError."""
    name = str(raw)
    if name != "any" and (name not in os.listdir(NET) or "/" in name):
        known = ", ".join(sorted(os.listdir(NET)))
        raise TraceError(f"interface must be any or one of {known}, not {name[:20]!r}")
    return name


def current() -> TraceState | None:
    """The latest trace; one whose worker died mid-trace (its claim expired or
    went with a restarted Redis) is a failed one."""
    raw = bus().state().get(TRACE)
    if raw is None:
        return None
    trace = TraceState.from_dict(raw)
    if trace.stage in RUNNING and bus().redis.get(CLAIM) != trace.id.encode():
        return dataclasses.replace(trace, stage=FAILED,
                                   message="The trace was interrupted: the worker stopped.")
    return trace


def _report(trace: TraceState) -> TraceState:
    bus().set_state(TRACE, trace.to_dict())
    return trace


def claim(duration: int, by: str, interface: str = "any") -> TraceState:
    """Take the one trace's place, remove the previous file, and announce the
    new trace; TraceError if one runs, tcpdump is missing or space is short."""
    if shutil.which("tcpdump") is None:
        raise TraceError("tcpdump is not installed on this device, so it cannot make "
                         "network traces")
    trace_id = uuid.uuid4().hex
    if not bus().redis.set(CLAIM, trace_id, nx=True, ex=duration + CLAIM_MARGIN_SECONDS):
        raise TraceError("a network trace is already running; stop it or wait for it to end")
    folder().mkdir(parents=True, exist_ok=True)
    pcap().unlink(missing_ok=True)
    free = shutil.disk_usage(folder()).free
    if free < MAX_BYTES + FREE_SPACE_MARGIN:
        bus().redis.delete(CLAIM)
        raise TraceError(f"the data partition has {free // 2**20} MiB free; a trace needs "
                         f"{(MAX_BYTES + FREE_SPACE_MARGIN) // 2**20} MiB")
    return _report(TraceState(trace_id, STARTING, duration, by, interface=interface))


def request_stop() -> None:
    """Ask the running trace to end now (it keeps what it captured)."""
    running = bus().redis.get(CLAIM)
    if running is None:
        raise TraceError("no network trace is running")
    bus().redis.set(STOP, running, ex=CLAIM_MARGIN_SECONDS)


async def ended(trace_id: str) -> TraceState | None:
    """Wait for the trace `trace_id` to end (for VAPIX, which answers with the
    file): its state, or None if another trace has taken its place."""
    updates = async_bus()
    events = await updates.subscribe(state_event(TRACE))
    changes = aiter(events)
    try:
        while True:  # subscribed first: the end cannot pass unseen
            latest = await sync_to_async(current)()
            if latest is None or latest.id != trace_id:
                return None
            if latest.stage not in RUNNING:
                return latest
            await anext(changes)
    finally:
        await events.close()
        await updates.close()


def _command(trace: TraceState) -> list[str]:
    return [
        "tcpdump", "-i", trace.interface, "-U", "-s", str(SNAPLEN), "-c", str(MAX_PACKETS),
        # tcpdump also ends by itself after the trace time once a packet comes,
        # should this process die and leave it behind.
        "-G", str(trace.duration), "-W", "1",
        # As root tcpdump would change to its own user, which may not write here.
        "-Z", pwd.getpwuid(os.geteuid()).pw_name,
        "-w", str(pcap()),
    ]


def _tell(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


def _failure(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("tcpdump: ")
             and "data link type" not in line]
    reason = lines[-1].removeprefix("tcpdump: ") if lines else output.strip() or "no reason given"
    if "permission" in reason.lower() or "not permitted" in reason.lower():
        return (f"tcpdump is not permitted to capture here ({reason}); the worker needs "
                "the capabilities CAP_NET_RAW and CAP_NET_ADMIN")
    return f"tcpdump failed: {reason}"


def _size() -> int:
    try:
        return pcap().stat().st_size
    except FileNotFoundError:
        return 0


def capture(trace: TraceState) -> TraceState:
    """Run the claimed trace to its end, telling its progress on the bus."""
    log = folder() / "tcpdump.log"
    try:
        with log.open("w") as output:
            process = subprocess.Popen(_command(trace), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=output)
    except OSError as exc:
        bus().redis.delete(CLAIM)
        return _report(dataclasses.replace(trace, stage=FAILED,
                                           message=f"tcpdump could not start: {exc}"))
    try:
        return _follow(trace, process, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        bus().redis.delete(CLAIM, STOP)


def _follow(trace: TraceState, process: subprocess.Popen, log: Path) -> TraceState:
    listening_by = time.monotonic() + LISTEN_SECONDS
    while "listening on" not in _tell(log):
        if process.poll() is not None or time.monotonic() > listening_by:
            return _report(dataclasses.replace(trace, stage=FAILED,
                                               message=_failure(_tell(log))))
        time.sleep(POLL_SECONDS)
    begun = time.monotonic()
    trace = _report(dataclasses.replace(trace, stage=CAPTURING, started=time.time()))
    stopped_early, reported = False, begun
    while process.poll() is None:
        now = time.monotonic()
        stopped_early = bus().redis.get(STOP) == trace.id.encode()
        if stopped_early or now - begun >= trace.duration:
            process.send_signal(signal.SIGINT)  # tcpdump writes out what it has
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                return _report(dataclasses.replace(
                    trace, stage=FAILED, message="tcpdump did not stop when asked"))
            break
        if now - reported >= REPORT_SECONDS:
            reported = now
            trace = _report(dataclasses.replace(trace, elapsed=round(now - begun, 1),
                                                bytes=_size()))
        time.sleep(POLL_SECONDS)
    output = _tell(log)
    finished = dataclasses.replace(trace, elapsed=round(time.monotonic() - begun, 1),
                                   bytes=_size())
    if process.returncode != 0 and not stopped_early:
        return _report(dataclasses.replace(finished, stage=FAILED, message=_failure(output)))
    packets = int(match.group(1)) if (match := CAPTURED.search(output)) else 0
    if stopped_early:
        message = "Stopped early; what was captured until then is kept."
    elif packets >= MAX_PACKETS:
        message = f"Stopped at the limit of {MAX_PACKETS} packets."
    else:
        message = ""
    return _report(dataclasses.replace(finished, stage=DONE, packets=packets, message=message,
                                       filename=download_name(trace.started)))


def download_name(started: float) -> str:
    stamp = datetime.datetime.fromtimestamp(started, datetime.UTC).strftime("%Y%m%d%H%M%S")
    return f"trace_{this_device().serial}_{stamp}.pcap"


def finished_file() -> tuple[Path, str] | None:
    """The latest finished trace's file and download name, if there is one."""
    trace = current()
    if trace is None or trace.stage != DONE or not pcap().exists():
        return None
    return pcap(), trace.filename


def facts() -> dict[str, Any]:
    """What the page shows of the latest trace."""
    trace = current()
    return {"trace": trace, "running": trace is not None and trace.stage in RUNNING,
            "durations": [(seconds, _label(seconds)) for seconds in DURATIONS],
            "max_mib": MAX_BYTES // 2**20, "max_packets": MAX_PACKETS}


def _label(seconds: int) -> str:
    minutes = seconds // 60
    if seconds % 60:
        return f"{seconds} seconds"
    return f"{minutes} minute{'s' if minutes > 1 else ''}"
