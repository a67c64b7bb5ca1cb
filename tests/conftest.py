"""Fixtures shared by every test area: real services the product ships."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

# The web admin stacks (herald, fresh_herald, herald_factory) for every test area.
pytest_plugins = ["tests.webadmin.fixtures"]

REPO = Path(__file__).resolve().parent.parent


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"):
    """Poll `condition` until it returns a truthy value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Run a private redis-server on a unix socket in `workdir`; yields its URL."""
    server = shutil.which("redis-server") or pytest.fail("redis-server missing: run scripts/setup")
    sock = workdir / "redis.sock"
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"unix://{sock}"

    def answers() -> bool:
        try:
            return redis.Redis.from_url(url).ping()
        except (redis.ConnectionError, FileNotFoundError):
            return False

    try:
        wait_until(answers, timeout=20, what="redis-server to answer PING")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def redis_pid(url: str) -> int:
    """The process of the redis-server listening on unix socket `url`."""
    sock = url.removeprefix("unix://")
    return int(subprocess.check_output(["pgrep", "-f", sock]).split()[0])


@contextmanager
def frozen(url: str) -> Iterator[None]:
    """Redis stopped (SIGSTOP: connections stay open, nothing answers), then thawed."""
    pid = redis_pid(url)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a unix socket, as on the device."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def own_redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis for one test: the state it publishes stays out of other tests' pages."""
    workdir = tmp_path / "own-redis"
    workdir.mkdir()
    with redis_server(workdir) as url:
        yield url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--power-cuts", type=int, default=5,
                     help="power cuts in the firmware upgrade story's last chapter (default "
                          "5; scripts/soak runs many more)")
