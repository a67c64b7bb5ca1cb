"""Benchmark of Herald OS in QEMU (TCG, 2 vCPUs, 1 GiB): boot time and memory.

Boots the deployed test image (the product image plus a debug port, same
services) on a throwaway snapshot and prints:

* seconds from QEMU start to the first HTTP answer on the forwarded port;
* seconds until the health check marked the slot good;
* systemd's own split (kernel, userspace);
* memory of each firmware service (cgroup) and of the whole guest.

TCG timings move with host load: /proc/pressure/cpu is printed alongside.
Usage: .venv/bin/python bench/image_boot.py   (after kas build kas.yml:kas/test.yml)
"""

from __future__ import annotations

import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qemu.vm import Machine, deployed_image, forwarded_ports

SERVICES = ("herald-web", "herald-core", "herald-worker", "redis-server")


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


def main() -> None:
    pressure = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    with tempfile.TemporaryDirectory(prefix="herald-boot-bench-") as tmp:
        machine = Machine(image=deployed_image("herald-image-test"), workdir=Path(tmp),
                          snapshot=True, ports=forwarded_ports())
        started = time.monotonic()
        machine.boot()
        try:
            http = first_http_answer(machine.http_url, started)
            print(f"first HTTP answer:     {http:6.1f} s after QEMU start")
            machine.wait_until_up()
            while not booted_slot_good(machine):
                time.sleep(2)
            print(f"slot marked good:      {time.monotonic() - started:6.1f} s")
            print("systemd:              ", machine.run("systemd-analyze | head -1").output.strip())
            total = 0
            for service in SERVICES:
                value = machine.run(f"systemctl show -p MemoryCurrent --value {service}").output
                mib = int(value.strip()) / 2**20
                total += mib if service != "redis-server" else 0
                print(f"memory {service:14s} {mib:6.1f} MiB")
            print(f"memory firmware total {total:6.1f} MiB (herald-web, -core, -worker)")
            used = machine.run("free -m | awk '/^Mem:/ {print $3 \" of \" $2}'").output.strip()
            print(f"guest memory used:     {used} MiB")
        finally:
            machine.shutdown()
    print(f"host CPU pressure at start: {pressure}")


if __name__ == "__main__":
    main()
