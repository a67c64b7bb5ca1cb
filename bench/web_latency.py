"""Benchmark of the web admin: latency under concurrent clients, memory at rest.

Starts the real stack (redis-server, herald-web, herald-worker) in a
temporary directory, as the tests do, then:

* 20 concurrent VAPIX clients (HTTP Digest) each request
  /axis-cgi/param.cgi?action=list (the whole parameter tree) in a loop;
* 20 concurrent browser sessions each load the Status page in a loop;
* the same load on a static file (the cheapest request the app serves) as a
  yardstick: on a noisy machine watch the ratios to it, not the milliseconds.

Prints median and p99 latency and throughput of each, then the memory (RSS
and PSS) of each process at rest, right after start and after the load.
Usage: .venv/bin/python bench/web_latency.py [--clients 20] [--requests 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import redis

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware")]

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
    redis_pid = redis.Redis.from_url(stack.redis_url).info("server")["process_id"]
    table = {"redis-server": _memory(redis_pid)}
    for name, process in stack.processes.items():
        table[f"herald-{name}"] = _memory(process.pid)
        for child in _children(process.pid):
            table[f"herald-{name} child {child}"] = _memory(child)
    return table


def print_memory(title: str, table: dict[str, tuple[int, int]]) -> None:
    print(f"\nmemory at rest, {title}:")
    for name, (rss, pss) in table.items():
        print(f"  {name:28} RSS {rss / 1024:7.1f} MiB   PSS {pss / 1024:7.1f} MiB")
    total = sum(pss for _, pss in table.values())
    print(f"  {'total':28} {'':16} PSS {total / 1024:7.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the services (repeatable)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="herald-bench-") as tmp, ExitStack() as cleanup:
        (Path(tmp) / "redis").mkdir()
        url = cleanup.enter_context(redis_server(Path(tmp) / "redis"))
        stack = HeraldStack(Path(tmp) / "data", url, dict(e.split("=", 1) for e in options.env))
        cleanup.callback(stack.stop)
        stack.start()
        set_up_accounts(stack)
        time.sleep(REST_SECONDS)
        at_start = memory(stack)

        print(f"{options.clients} concurrent clients, {options.requests} requests each")
        rows = {
            "static file (yardstick)": measure(stack, "session", YARDSTICK, options.clients,
                                               options.requests),
            "param.cgi action=list": measure(stack, "digest", "/axis-cgi/param.cgi?action=list",
                                             options.clients, options.requests),
            "Status page": measure(stack, "session", "/status/", options.clients,
                                   options.requests),
        }
        base = rows["static file (yardstick)"]["median"]
        print(f"{'request':26} {'median':>9} {'p99':>9} {'req/s':>8} {'median/yardstick':>17}")
        for name, row in rows.items():
            print(f"{name:26} {row['median']:7.1f}ms {row['p99']:7.1f}ms {row['rate']:8.1f} "
                  f"{row['median'] / base:17.2f}")

        time.sleep(REST_SECONDS)
        print_memory("after start", at_start)
        print_memory("after the load", memory(stack))


if __name__ == "__main__":
    main()
