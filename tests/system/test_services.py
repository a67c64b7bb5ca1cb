"""In the QEMU image: a firmware service that dies is restarted by systemd
on its own, the web admin answers all the while, and /healthz names the
service until it is back."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import wait_until

pytestmark = [pytest.mark.system, pytest.mark.slow]


def health(device) -> tuple[int, dict] | None:
    try:
        reply = httpx.get(device.http_url.rstrip("/") + "/healthz", timeout=10)
    except httpx.HTTPError:
        return None
    return reply.status_code, reply.json()


def unit_state(device, unit: str) -> tuple[str, int]:
    """(main PID, restarts so far) as systemd counts them."""
    out = device.run(f"systemctl show -p MainPID -p NRestarts --value {unit}",
                     check=True).output.split()
    return out[0], int(out[1])


@pytest.mark.parametrize(("unit", "check"), [("herald-core", "core"),
                                              ("herald-updater", "updater"),
                                              ("herald-system", "system"),
                                              ("herald-worker", "worker")])
def test_a_killed_service_comes_back_and_the_web_admin_keeps_answering(device, unit, check):
    wait_until(lambda: (h := health(device)) is not None and h[0] == 200, timeout=600,
               interval=2, what="the device healthy")
    pid, restarts = unit_state(device, unit)
    device.run(f"kill -KILL {pid}", check=True)
    killed = time.monotonic()
    seen = []

    def restarted() -> bool:
        seen.append(health(device))
        now_pid, now_restarts = unit_state(device, unit)
        return now_restarts == restarts + 1 and now_pid not in ("0", pid)

    wait_until(restarted, timeout=60, interval=0.5, what=f"systemd to restart {unit}")
    back = time.monotonic() - killed

    def healthy_again() -> bool:
        seen.append(health(device))
        return seen[-1] is not None and seen[-1][0] == 200

    wait_until(healthy_again, timeout=300, interval=1,
               what=f"/healthz healthy again after {unit} restarted")
    assert None not in seen, "the web admin stopped answering while a service restarted"
    gap = [body for status, body in seen if status == 503]
    assert gap and all(body[check] is False for body in gap), (
        f"/healthz did not name {check} while {unit} was down: {seen}")
    print(f"{unit}: restarted {back:.1f} s after the kill; /healthz 503 for "
          f"{len(gap)} of {len(seen)} looks")


def test_everything_comes_back_after_redis_dies(device):
    """The services that lose the bus wait for Redis and start their work again
    in the same process, for as long as it takes Redis to return: none gives
    up for good."""
    wait_until(lambda: (h := health(device)) is not None and h[0] == 200, timeout=600,
               interval=2, what="the device healthy")
    pid, restarts = unit_state(device, "redis-server")
    device.run(f"kill -KILL {pid}", check=True)
    killed = time.monotonic()
    wait_until(lambda: unit_state(device, "redis-server")[1] > restarts, timeout=60,
               interval=0.5, what="systemd to restart redis-server")
    wait_until(lambda: (h := health(device)) is not None and h[0] == 200, timeout=300,
               interval=1, what="/healthz healthy again after Redis came back")
    failed = device.run("systemctl list-units --failed --no-legend --plain 'herald-*'")
    failed = failed.output.strip()
    assert failed == "", f"units that gave up: {failed}"
    print(f"redis-server killed: the device healthy again after {time.monotonic() - killed:.1f} s")
