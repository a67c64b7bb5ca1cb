"""Benchmark of the SNMP agent (herald-snmp) as a manager sees it.

Starts redis-server and herald-snmp in a temporary directory, as the tests do
(every version on, no trap receiver), then with Debian's net-snmp tools:

* --gets snmpget runs of sysUpTime over v2c and over v3 (authPriv: SHA-256,
  AES), one after another: median and p99 of each command's wall time;
* `snmpget -V` as a yardstick: the tool's own start, which every get pays;
* snmpwalk of the whole tree (GETNEXT, one object a request) and
  snmpbulkwalk over v2c and v3: seconds and objects.
Usage: .venv/bin/python bench/snmp_agent.py [--gets 200] [--json]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import Report, arguments, figures, note

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware")]

from tests.conftest import redis_server  # noqa: E402
from tests.snmp.conftest import EVERYTHING, start_agent  # noqa: E402
from tests.snmp.netsnmp import TrapReceiver, free_udp_port, run, tool  # noqa: E402

SYS_UPTIME = ".1.3.6.1.2.1.1.3.0"


def timed(command: list[str] | None, runs: int, port: int = 0, version: str = "") -> list[float]:
    """Seconds of each of `runs` snmpget calls (or of `command`)."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        if command is None:
            done = run("snmpget", port, version, SYS_UPTIME)
            assert done.returncode == 0, done.stderr
        else:
            subprocess.run(command, capture_output=True, check=True)
        seconds.append(time.perf_counter() - start)
    return seconds


def latencies(report: Report, name: str, seconds: list[float]) -> None:
    report.add(f"{name}_median", statistics.median(seconds) * 1000, "ms")
    report.add(f"{name}_p99", statistics.quantiles(seconds, n=100)[98] * 1000, "ms")


def walk(report: Report, name: str, command: str, port: int, version: str) -> None:
    start = time.perf_counter()
    done = run(command, port, version, "-Oq", ".1")
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    objects = [line for line in done.stdout.splitlines()
               if line.startswith(".") and "No more variables" not in line]
    report.add(f"{name}_seconds", elapsed, "s")
    report.add(f"{name}_objects", len(objects), "count")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--gets", type=int, default=200, help="snmpget runs per version")
    options = parser.parse_args()
    with figures(options) as report, tempfile.TemporaryDirectory(prefix="snmp-bench-") as tmp:
        directory = Path(tmp)
        with redis_server(directory) as redis_url:
            traps = TrapReceiver(directory / "traps")
            agent = start_agent(directory, redis_url, EVERYTHING, None, traps, free_udp_port())
            try:
                note(f"herald-snmp on UDP port {agent.port}; {options.gets} gets per version")
                latencies(report, "netsnmp_start", timed([tool("snmpget"), "-V"], options.gets))
                latencies(report, "get_v2c", timed(None, options.gets, agent.port, "2c"))
                latencies(report, "get_v3", timed(None, options.gets, agent.port, "3"))
                walk(report, "walk_v2c", "snmpwalk", agent.port, "2c")
                walk(report, "bulkwalk_v2c", "snmpbulkwalk", agent.port, "2c")
                walk(report, "walk_v3", "snmpwalk", agent.port, "3")
            finally:
                agent.process.terminate()
                agent.process.wait(timeout=15)
                traps.close()


if __name__ == "__main__":
    main()
