"""Benchmark of the web admin: latency under concurrent clients, memory at rest.

Starts the real stack (redis-server, herald-web, herald-worker) in a
temporary directory, as the tests do, then:

* 20 concurrent VAPIX clients (HTTP Digest) each request
  /axis-cgi/param.cgi?action=list (the whole parameter tree) in a loop;
* 20 concurrent browser sessions each load the Status page in a loop;
* the same load on a static file (the cheapest request the app serves) as a
  yardstick: on a noisy machine watch the ratios to it, not the milliseconds.
Each client holds one keep-alive connection and is written on bare asyncio,
so the load takes little of the CPU it shares with the server.

Prints median and p99 latency and throughput of each, the web server's CPU
time per request (steadier than latency on a shared machine) and the ratio of
each median to the yardstick's, then the memory (RSS and PSS) of each process at
rest, right after start and after the load (a child process is numbered in
the order the kernel lists it).
Usage: .venv/bin/python bench/web_latency.py [--clients 20] [--requests 100] [--json]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
import redis
from figures import Report, arguments, figures

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware"), str(REPO / "webadmin")]

from tests.conftest import redis_server  # noqa: E402
from tests.webadmin.digest_client import digest_header, parse_challenge  # noqa: E402
from tests.webadmin.fixtures import set_up_accounts  # noqa: E402
from tests.webadmin.stack import Account, HeraldStack, login  # noqa: E402

REST_SECONDS = 5
YARDSTICK = "/static/ui/herald.css"


class Client:
    """One keep-alive HTTP/1.1 connection, as a VAPIX client or a browser holds
    it, written on bare asyncio streams: httpx spends about a millisecond of
    CPU on each request, on the same two cores the device's server needs, so
    it measured itself as much as the server."""

    def __init__(self, url: str, cookie: str = "", account: Account | None = None) -> None:
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.cookie, self.account = cookie, account
        self.challenge: dict[str, str] | None = None
        self.count = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """GET `path`, answering a Digest challenge once; the final status."""
        status, headers = await self._exchange(path)
        if status == 401 and self.account is not None:
            self.challenge = parse_challenge(headers["www-authenticate"])
            status, _ = await self._exchange(path)
        return status

    async def _exchange(self, path: str) -> tuple[int, dict[str, str]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        if self.challenge is not None and self.account is not None:
            self.count += 1
            lines.append("Authorization: " + digest_header(
                self.account, self.challenge, path, nc=f"{self.count:08x}",
                cnonce=f"{id(self):x}"))
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        if headers.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        else:
            await self.reader.readexactly(int(headers.get("content-length", 0)))
        return status, headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _client_loop(client: Client, path: str, requests: int) -> list[float]:
    await client.get(path)  # warm up: Digest challenge, connection
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        status = await client.get(path)
        times.append(time.perf_counter() - start)
        assert status == 200, (path, status)
    return times


async def _load(make: Callable[[], Client], clients: int, path: str,
                requests: int) -> tuple[list, float]:
    connections = [make() for _ in range(clients)]
    start = time.perf_counter()
    results = await asyncio.gather(*(_client_loop(c, path, requests) for c in connections))
    elapsed = time.perf_counter() - start
    for client in connections:
        client.close()
    return [t for times in results for t in times], elapsed


def measure(stack: HeraldStack, kind: str, path: str, clients: int, requests: int) -> dict:
    with httpx.Client(base_url=stack.http_url) as browser:
        login(browser, stack.accounts["viewer"])
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())

    def make() -> Client:
        if kind == "digest":
            return Client(stack.http_url, account=stack.accounts["admin"])
        return Client(stack.http_url, cookie=cookie)

    web = stack.processes["web"].pid
    cpu = _cpu_seconds(web)
    times, elapsed = asyncio.run(_load(make, clients, path, requests))
    cpu = _cpu_seconds(web) - cpu
    times.sort()
    return {
        "median": statistics.median(times) * 1000,
        "p99": times[max(0, int(len(times) * 0.99) - 1)] * 1000,
        "rate": len(times) / elapsed,
        "server_cpu": cpu / (len(times) + clients) * 1000,  # the warm-ups count too
    }


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument("--requests", type=int, default=100, help="per client")
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
            report.add(f"{name}_server_cpu", row["server_cpu"], "ms/req")
            if name == "static_file":
                yardstick = row["median"]
            else:
                report.add(f"{name}_median_over_static_file", row["median"] / yardstick, "x")

        time.sleep(REST_SECONDS)
        report_memory(report, "after_start", at_start)
        report_memory(report, "after_load", memory(stack))


if __name__ == "__main__":
    main()
