"""Benchmark of the web admin: latency under concurrent clients, memory at rest.

Starts the real stack (redis-server, herald-web, herald-worker) in a
temporary directory, as the tests do, then:

* 20 concurrent VAPIX clients (HTTP Digest) each request
  /axis-cgi/param.cgi?action=list (the whole parameter tree) in a loop;
* 20 concurrent browser sessions each load the Status page in a loop;
* the same load on a static file (the cheapest request the app serves) as a
  yardstick: on a noisy machine watch the ratios to it, not the milliseconds.

Prints median and p99 latency and throughput of each and the ratio of each
median to the yardstick's, then the memory (RSS and PSS) of each process at
rest, right after start and after the load (a child process is numbered in
the order the kernel lists it).
Usage: .venv/bin/python bench/web_latency.py [--clients 20] [--requests 40] [--json]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import redis
from figures import Report, arguments, figures

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware"), str(REPO / "webadmin")]

from tests.conftest import redis_server  # noqa: E402
from tests.webadmin.fixtures import set_up_accounts  # noqa: E402
from tests.webadmin.stack import HeraldStack, login  # noqa: E402

REST_SECONDS = 5
YARDSTICK = "/static/ui/herald.css"


async def _client_loop(client: httpx.AsyncClient, path: str, requests: int) -> list[float]:
    await client.get(path)  # warm up: Digest challenge, connection
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        reply = await client.get(path)
        times.append(time.perf_counter() - start)
        assert reply.status_code == 200, (path, reply.status_code)
    return times


async def _load(clients: list[httpx.AsyncClient], path: str, requests: int) -> tuple[list, float]:
    start = time.perf_counter()
    results = await asyncio.gather(*(_client_loop(c, path, requests) for c in clients))
    elapsed = time.perf_counter() - start
    for client in clients:
        await client.aclose()
    return [t for times in results for t in times], elapsed


def measure(stack: HeraldStack, kind: str, path: str, clients: int, requests: int) -> dict:
    def make() -> httpx.AsyncClient:
        if kind == "digest":
            admin = stack.accounts["admin"]
            return httpx.AsyncClient(base_url=stack.http_url, timeout=60,
                                     auth=httpx.DigestAuth(admin.name, admin.password))
        return httpx.AsyncClient(base_url=stack.http_url, timeout=60, cookies=session)

    with httpx.Client(base_url=stack.http_url) as browser:
        login(browser, stack.accounts["viewer"])
        session = dict(browser.cookies)
    times, elapsed = asyncio.run(_load([make() for _ in range(clients)], path, requests))
    times.sort()
    return {
        "median": statistics.median(times) * 1000,
        "p99": times[max(0, int(len(times) * 0.99) - 1)] * 1000,
        "rate": len(times) / elapsed,
    }


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process in KiB."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
    return rss, pss


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def memory(stack: HeraldStack) -> dict[str, tuple[int, int]]:
    """RSS and PSS of each process of the stack, by a name fit for a figure."""
    redis_pid = redis.Redis.from_url(stack.redis_url).info("server")["process_id"]
    table = {"redis_server": _memory(redis_pid)}
    for name, process in stack.processes.items():
        table[f"herald_{name}"] = _memory(process.pid)
        for number, child in enumerate(_children(process.pid), 1):
            table[f"herald_{name}_child{number}"] = _memory(child)
    return table


def report_memory(report: Report, moment: str, table: dict[str, tuple[int, int]]) -> None:
    for name, (rss, pss) in table.items():
        report.add(f"{name}_rss_{moment}", rss / 1024, "MiB")
        report.add(f"{name}_pss_{moment}", pss / 1024, "MiB")
    report.add(f"total_pss_{moment}", sum(pss for _, pss in table.values()) / 1024, "MiB")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the services (repeatable)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="herald-bench-") as tmp, ExitStack() as cleanup:
        report = cleanup.enter_context(figures(options))
        (Path(tmp) / "redis").mkdir()
        url = cleanup.enter_context(redis_server(Path(tmp) / "redis"))
        stack = HeraldStack(Path(tmp) / "data", url, dict(e.split("=", 1) for e in options.env))
        cleanup.callback(stack.stop)
        stack.start()
        set_up_accounts(stack)
        time.sleep(REST_SECONDS)
        at_start = memory(stack)

        report.add("clients", options.clients, "count")
        report.add("requests_per_client", options.requests, "count")
        loads = (("static_file", "session", YARDSTICK),
                 ("param_list", "digest", "/axis-cgi/param.cgi?action=list"),
                 ("status_page", "session", "/status/"))
        yardstick = 0.0
        for name, kind, path in loads:
            row = measure(stack, kind, path, options.clients, options.requests)
            report.add(f"{name}_median", row["median"], "ms")
            report.add(f"{name}_p99", row["p99"], "ms")
            report.add(f"{name}_rate", row["rate"], "req/s")
            if name == "static_file":
                yardstick = row["median"]
            else:
                report.add(f"{name}_median_over_static_file", row["median"] / yardstick, "x")

        time.sleep(REST_SECONDS)
        report_memory(report, "after_start", at_start)
        report_memory(report, "after_load", memory(stack))


if __name__ == "__main__":
    main()
