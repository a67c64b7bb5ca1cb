"""Benchmark of Herald OS in QEMU (TCG, 2 vCPUs, 1 GiB): boot time and memory.

Boots the deployed test image (the product image plus a debug port, same
services) on a throwaway snapshot and prints:

* seconds from QEMU start to the first HTTP answer on the forwarded port;
* seconds until the health check marked the slot good;
* systemd's own split (kernel, initrd if any, userspace), as systemd-analyze
  computes it;
* memory of each firmware service (cgroup) and of the whole guest.

TCG timings move with host load: the host's CPU pressure (/proc/pressure/cpu,
percent of time some task waited for a CPU) at the start is printed alongside.
Usage: .venv/bin/python bench/image_boot.py [--json]   (after kas build kas.yml:kas/test.yml)
"""

from __future__ import annotations

import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from figures import Report, arguments, figures, note

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


def report_pressure(report: Report) -> None:
    """The host's CPU pressure now ("some" line: avg10, avg60 in percent)."""
    fields = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()[1:]
    averages = dict(field.split("=", 1) for field in fields)
    report.add("host_cpu_pressure_avg10", float(averages["avg10"]), "%")
    report.add("host_cpu_pressure_avg60", float(averages["avg60"]), "%")


def report_systemd(report: Report, machine: Machine) -> None:
    """systemd's boot split, from the timestamps systemd-analyze reads (microseconds
    since the kernel started): kernel until the initrd or userspace, initrd until
    userspace, userspace until the boot finished."""
    note("systemd:", machine.run("systemd-analyze | head -1").output.strip())
    names = ("InitRDTimestampMonotonic", "UserspaceTimestampMonotonic",
             "FinishTimestampMonotonic")
    output = machine.run("systemctl show" + "".join(f" -p {name}" for name in names),
                         check=True).output
    stamps = dict(line.split("=", 1) for line in output.split() if "=" in line)
    initrd, userspace, finish = (int(stamps[name]) / 1e6 for name in names)
    report.add("systemd_kernel", initrd or userspace, "s")
    if initrd:
        report.add("systemd_initrd", userspace - initrd, "s")
    if finish:
        report.add("systemd_userspace", finish - userspace, "s")
    else:
        note("systemd: the boot has not finished, no userspace time")


def main() -> None:
    options = arguments(__doc__).parse_args()
    with figures(options) as report, \
            tempfile.TemporaryDirectory(prefix="herald-boot-bench-") as tmp:
        report_pressure(report)
        image = deployed_image("herald-image-test")
        note(f"image: {image}")
        machine = Machine(image=image, workdir=Path(tmp), snapshot=True,
                          ports=forwarded_ports())
        started = time.monotonic()
        machine.boot()
        try:
            report.add("first_http_answer", first_http_answer(machine.http_url, started), "s")
            machine.wait_until_up()
            while not booted_slot_good(machine):
                time.sleep(2)
            report.add("slot_marked_good", time.monotonic() - started, "s")
            report_systemd(report, machine)
            total = 0.0
            for service in SERVICES:
                value = machine.run(f"systemctl show -p MemoryCurrent --value {service}").output
                mib = int(value.strip()) / 2**20
                total += mib if service != "redis-server" else 0
                report.add(f"memory_{service.replace('-', '_')}", mib, "MiB")
            report.add("memory_firmware_total", total, "MiB")  # herald-web, -core, -worker
            used, size = machine.run("free -m | awk '/^Mem:/ {print $3, $2}'").output.split()
            report.add("guest_memory_used", int(used), "MiB")
            report.add("guest_memory_total", int(size), "MiB")
        finally:
            machine.shutdown()


if __name__ == "__main__":
    main()
