"""Benchmark of the firmware services' start: time, CPU and memory to ready.

Starts redis-server in a temporary directory, then each daemon alone, as the
device starts it (`python -m <module>` on the same environment: development
mode on this host, a data directory of the bench's own), and stops it again:

* herald-web is ready at its first HTTP answer to / (HTTPS listens too, as
  on the device): /healthz would wait its checks' timeouts for the services
  the bench does not run beside it;
* herald-worker once it says on the bus that it is ready (its WORKER state);
* herald-core, herald-system and herald-updater at their first answer to the
  bus's PING (a call queued before the process starts, answered as soon as
  the service serves).
For each: seconds from exec to ready, CPU seconds (user and system, the
process and its children) to ready, and PSS and USS (private pages: steadier
on a shared machine) right after ready. The same for a
bare `python -c pass` (time and CPU to its exit; memory of the bare
interpreter waiting on its stdin) as the yardstick: on a noisy machine read the ratios to
it. Each figure is the median of --runs starts, after one unmeasured start of
each daemon (the database migrated, the certificate made, files cached), as a
device's boot finds them.
Usage: .venv/bin/python bench/service_start.py [--runs 3] [--services web,core] [--json]
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from figures import Report, arguments, figures, note

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware"), str(REPO / "webadmin")]

from herald.audio import contract as audio  # noqa: E402
from herald.bus import PING, Bus, BusError  # noqa: E402
from herald.system import contract as system  # noqa: E402
from herald.update import contract as update  # noqa: E402
from herald_web.contract import WORKER  # noqa: E402
from tests.conftest import redis_server  # noqa: E402

READY_TIMEOUT = 120.0
POLL_SECONDS = 0.02
SERVICES = {  # figure name: the daemon's module
    "web": "herald_web.web",
    "worker": "herald_web.worker",
    "core": "herald.core",
    "system": "herald.system",
    "updater": "herald.update",
}
BUS_SERVICE = {"core": audio.SERVICE, "system": system.SERVICE, "updater": update.SERVICE}


@dataclass
class Start:
    """One start of a process, measured at the moment it was ready."""

    seconds: float
    cpu: float
    pss_kib: int
    uss_kib: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data: Path, redis_url: str, http_port: int) -> dict[str, str]:
    """What the daemons run with: the device's variables, on this host."""
    return {**os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "firmware"), str(REPO / "webadmin")]),
            "HERALD_MODE": "development", "HERALD_DATA_DIR": str(data),
            "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "herald_web.settings",
            "HERALD_HTTP_PORT": str(http_port), "HERALD_HTTPS_PORT": "0"}


def _tree(pid: int) -> list[int]:
    """A process and its descendants still alive."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += _tree(int(child))
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its live descendants so far."""
    ticks = 0
    for member in _tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> tuple[int, int]:
    """PSS and USS (its private pages alone) of a process in KiB. PSS counts a
    share of the pages other processes map too, so it moves with whatever
    else runs on the machine; USS does not."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Pss", "Private_Clean", "Private_Dirty"):
            found[name] = int(rest.split()[0])
    return found["Pss"], found["Private_Clean"] + found["Private_Dirty"]


def web_answers(port: int) -> Callable[[], bool]:
    def answers() -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()
    return answers


def worker_ready(bus: Bus, process: subprocess.Popen) -> Callable[[], bool]:
    return lambda: (bus.state().get(WORKER) or {}).get("pid") == process.pid


def start_once(name: str, env: dict[str, str], bus: Bus, log: Path) -> Start:
    """Start daemon `name`, wait until it is ready, measure, stop it."""
    if name in BUS_SERVICE:
        bus.redis.delete(f"herald:call:{BUS_SERVICE[name]}")  # no call left from a run before
    with log.open("ab") as output:
        began = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", SERVICES[name]], env=env,
                                   stdout=output, stderr=subprocess.STDOUT,
                                   cwd=env["HERALD_DATA_DIR"])
    try:
        if name in BUS_SERVICE:
            try:
                bus.call(BUS_SERVICE[name], PING, timeout=READY_TIMEOUT)
            except BusError as exc:
                raise RuntimeError(f"{name} did not answer PING; see {log}") from exc
        else:
            ready = (web_answers(int(env["HERALD_HTTP_PORT"])) if name == "web"
                     else worker_ready(bus, process))
            while not ready():
                if process.poll() is not None or time.monotonic() - began > READY_TIMEOUT:
                    raise RuntimeError(f"{name} was not ready; see {log}")
                time.sleep(POLL_SECONDS)
        seconds = time.monotonic() - began
        return Start(seconds, cpu_seconds(process.pid), *memory_kib(process.pid))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def python_once() -> Start:
    """The yardstick: `python -c pass` to its exit, then the memory of a bare
    interpreter (one that waits on its stdin: an exited one has none)."""
    began = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    waiting = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.buffer.read()"],
                               stdin=subprocess.PIPE)
    try:
        time.sleep(0.2)
        memory = memory_kib(waiting.pid)
    finally:
        waiting.communicate(b"")
    return Start(seconds, usage.ru_utime + usage.ru_stime, *memory)


def report_starts(report: Report, name: str, starts: list[Start],
                  yardstick: Start | None) -> None:
    seconds = statistics.median(s.seconds for s in starts)
    cpu = statistics.median(s.cpu for s in starts)
    report.add(f"{name}_ready", seconds, "s")
    report.add(f"{name}_cpu_to_ready", cpu, "s")
    report.add(f"{name}_pss_after_ready", statistics.median(s.pss_kib for s in starts) / 1024,
               "MiB")
    report.add(f"{name}_uss_after_ready", statistics.median(s.uss_kib for s in starts) / 1024,
               "MiB")
    if yardstick is not None:
        report.add(f"{name}_ready_over_python", seconds / yardstick.seconds, "x")
        report.add(f"{name}_cpu_over_python", cpu / yardstick.cpu, "x")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--runs", type=int, default=3, help="measured starts of each")
    parser.add_argument("--services", default=",".join(SERVICES),
                        help="comma-separated, of: " + ", ".join(SERVICES))
    options = parser.parse_args()
    chosen = [s for s in options.services.split(",") if s]
    unknown = set(chosen) - set(SERVICES)
    if unknown or options.runs < 1:
        parser.error(f"unknown services {sorted(unknown)}" if unknown else "--runs below 1")
    with tempfile.TemporaryDirectory(prefix="herald-bench-") as tmp, ExitStack() as cleanup:
        report = cleanup.enter_context(figures(options))
        (Path(tmp) / "redis").mkdir()
        url = cleanup.enter_context(redis_server(Path(tmp) / "redis"))
        data = Path(tmp) / "data"
        data.mkdir()
        env = environment(data, url, free_port())
        bus = Bus(url)
        starts = [python_once() for _ in range(options.runs)]
        yardstick = Start(statistics.median(s.seconds for s in starts),
                          statistics.median(s.cpu for s in starts), 0, 0)
        report_starts(report, "python", starts, None)
        for name in chosen:
            log = Path(tmp) / f"{name}.out"
            note(f"{name}: a first start (not measured), then {options.runs}")
            start_once(name, env, bus, log)
            starts = [start_once(name, env, bus, log) for _ in range(options.runs)]
            report_starts(report, name, starts, yardstick)


if __name__ == "__main__":
    main()
