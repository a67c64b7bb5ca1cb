"""Benchmark of Herald OS in QEMU (TCG, 2 vCPUs, 1 GiB): boot time and memory.

Boots the deployed test image (the product image plus a debug port, same
services) on a throwaway snapshot and prints:

* seconds from QEMU start to the first HTTP answer on the forwarded port;
* seconds until the health check marked the slot good;
* systemd's own split (kernel, initrd if any, userspace), as systemd-analyze
  computes it;
* memory of each firmware service (cgroup) and of the whole guest;
* the same first HTTP answer and systemd split for the boot-time yardstick
  (herald-image-yardstick: the same kernel, boot chain, disk layout and base
  configuration, with a static HTTP server instead of Herald's services),
  booted in the same run, and the test image's first answer as a ratio of
  the yardstick's: a figure that holds on a noisy host.

TCG timings move with host load: the host's CPU pressure (/proc/pressure/cpu,
percent of time some task waited for a CPU) at the start is printed alongside.
Usage: .venv/bin/python bench/image_boot.py [--json]
(after kas build kas.yml:kas/test.yml and kas build kas.yml:kas/yardstick.yml)
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from figures import Report, arguments, figures, note

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qemu.vm import Machine, deployed_image, forwarded_ports

SERVICES = ("herald-web", "herald-core", "herald-worker", "redis-server")
YARDSTICK = "herald-image-yardstick"  # kas build kas.yml:kas/yardstick.yml


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


def report_systemd(report: Report, machine: Machine, prefix: str = "") -> None:
    """systemd's boot split, from the timestamps systemd-analyze reads (microseconds
    since the kernel started): kernel until the initrd or userspace, initrd until
    userspace, userspace until the boot finished."""
    note(f"{prefix}systemd:", machine.run("systemd-analyze | head -1").output.strip())
    names = ("InitRDTimestampMonotonic", "UserspaceTimestampMonotonic",
             "FinishTimestampMonotonic")
    output = machine.run("systemctl show" + "".join(f" -p {name}" for name in names),
                         check=True).output
    stamps = dict(line.split("=", 1) for line in output.split() if "=" in line)
    initrd, userspace, finish = (int(stamps[name]) / 1e6 for name in names)
    report.add(f"{prefix}systemd_kernel", initrd or userspace, "s")
    if initrd:
        report.add(f"{prefix}systemd_initrd", userspace - initrd, "s")
    if finish:
        report.add(f"{prefix}systemd_userspace", finish - userspace, "s")
    else:
        note(f"{prefix}systemd: the boot has not finished, no userspace time")


@contextlib.contextmanager
def booted(image_name: str, workdir: Path) -> Iterator[tuple[Machine, float]]:
    """A throwaway snapshot of a deployed image, powered on; yields the machine
    and the seconds from QEMU's start to the first HTTP answer."""
    image = deployed_image(image_name)
    note(f"image: {image}")
    workdir.mkdir(exist_ok=True)
    machine = Machine(image=image, workdir=workdir, snapshot=True, ports=forwarded_ports())
    started = time.monotonic()
    machine.boot()
    try:
        yield machine, first_http_answer(machine.http_url, started)
    finally:
        machine.shutdown()


def report_yardstick(report: Report, workdir: Path) -> float:
    """The yardstick's first HTTP answer and systemd split."""
    with booted(YARDSTICK, workdir) as (machine, answered):
        report.add("yardstick_first_http_answer", answered, "s")
        machine.wait_until_up()
        report_systemd(report, machine, "yardstick_")
    return answered


def main() -> None:
    options = arguments(__doc__).parse_args()
    with figures(options) as report, \
            tempfile.TemporaryDirectory(prefix="herald-boot-bench-") as tmp:
        report_pressure(report)
        yardstick = report_yardstick(report, Path(tmp) / "yardstick")
        started = time.monotonic()
        with booted("herald-image-test", Path(tmp) / "test") as (machine, answered):
            report.add("first_http_answer", answered, "s")
            report.add("first_http_answer_over_yardstick", answered / yardstick, "x")
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


if __name__ == "__main__":
    main()
