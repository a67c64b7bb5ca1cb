"""Benchmark of discovery (in herald-system) as a client on the network sees it.

Starts redis-server and herald-system in a temporary directory, as the tests
do, discovering on this host's interface towards the multicast group; then
sends --probes SSDP M-SEARCHes and WS-Discovery Probes to the group, one at a
time, and times each from sending to this device's answer: median and p99 per
protocol. The probes are paced under the responders' answer budget (20 a
second), which would otherwise drop some by design.
Usage: .venv/bin/python bench/discovery.py [--probes 100] [--json]
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from figures import Report, arguments, figures, note

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware")]

from herald.discovery import ssdp, wsdiscovery  # noqa: E402
from herald.discovery.multicast import MAX_ANSWERS_PER_SECOND, address_towards  # noqa: E402
from tests.conftest import redis_server  # noqa: E402
from tests.discovery.conftest import SERIAL, start_device  # noqa: E402
from tests.discovery.test_ssdp import search  # noqa: E402
from tests.discovery.test_wsdiscovery import probe  # noqa: E402

PACE = 1.5 / MAX_ANSWERS_PER_SECOND  # seconds between probes


def timed(address: str, port: int, request: Callable[[], bytes], runs: int) -> list[float]:
    """Seconds from each request to this device's answer."""
    seconds = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
        sock.bind((address, 0))
        sock.settimeout(5)
        for _ in range(runs):
            start = time.perf_counter()
            sock.sendto(request(), (ssdp.GROUP, port))
            while SERIAL.lower().encode() not in sock.recv(16384).lower():
                pass
            seconds.append(time.perf_counter() - start)
            time.sleep(max(0.0, PACE - seconds[-1]))
    return seconds


def latencies(report: Report, name: str, seconds: list[float]) -> None:
    report.add(f"{name}_median", statistics.median(seconds) * 1000, "ms")
    report.add(f"{name}_p99", statistics.quantiles(seconds, n=100)[98] * 1000, "ms")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--probes", type=int, default=100, help="requests per protocol")
    options = parser.parse_args()
    address = address_towards(ssdp.GROUP)
    with figures(options) as report, tempfile.TemporaryDirectory(prefix="discovery-") as tmp:
        directory = Path(tmp)
        with redis_server(directory) as redis_url:
            device = start_device(directory, redis_url, address)
            try:
                note(f"herald-system discovering on {address}; {options.probes} per protocol")
                latencies(report, "ssdp_search", timed(
                    address, ssdp.PORT, lambda: search("ssdp:all"), options.probes))
                latencies(report, "wsd_probe", timed(
                    address, wsdiscovery.PORT, lambda: probe(f"urn:uuid:{uuid.uuid4()}"),
                    options.probes))
            finally:
                device.stop()


if __name__ == "__main__":
    main()
