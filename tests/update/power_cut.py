"""Power cuts during firmware upgrades, for the last chapter of the upgrade
story (test_system_upgrade.py): an upgrade started inside the device from a
bundle on an extra drive, and QEMU killed (the power fails) at a chosen moment
of it: while the bundle is checked, the configuration copied, RAUC writes the
other slot, switches the boot order, or the device shuts down to restart into
the new firmware (a cut may also fall into the boot after a restart that came
early). After each, the status LED, seen through the virtual board, says
whether the upgrade failed.
"""

from __future__ import annotations

import json
import tarfile
import time
from pathlib import Path

import pytest

from qemu.board import LEDReading, VirtualBoard
from qemu.vm import GuestError
from tests.conftest import wait_until
from tests.update.device import Device, base_bundle

DRIVE = "bundle"

STAGED = "/data/power-cut/bundle.raucb"
PENDING = "/data/herald/update/pending.json"  # an upgrade the boot gate has to decide on
RESULT = "/data/herald/update/result.json"  # how the last one ended
SLOW_FLASH = 2.0  # seconds of one on and off of the failed upgrade's red
# Waits until no upgrade is pending (the boot gate settles one left by a cut),
# then upgrades and restarts as the Maintenance page does.
UPGRADE = (f"until [ ! -e {PENDING} ]; do sleep 0.5; done; "
           f"touch /run/power-cut-started; "
           f"/usr/lib/herald/venv/bin/herald-update install {STAGED} && systemctl reboot")


def stage_bundle(device: Device) -> None:
    device.machine.run(f"mkdir -p /data/power-cut && tar -xOf /dev/disk/by-id/virtio-{DRIVE} "
                       f"> {STAGED} && chmod 600 {STAGED}", timeout=600, check=True)


def start_upgrade(device: Device) -> float:
    """Start an upgrade in the guest; returns when it began (host monotonic time)."""
    device.machine.run("rm -f /run/power-cut-started; systemd-run --unit=power-cut-upgrade "
                       "-p EnvironmentFile=/etc/default/herald -p StandardOutput=journal "
                       f"sh -c '{UPGRADE}'", check=True)
    wait_until(lambda: device.machine.run("test -e /run/power-cut-started").returncode == 0,
               timeout=600, interval=0.5, what="the upgrade to start")
    return time.monotonic()


def upgrade_restarts(device: Device, timeout: float = 1800) -> None:
    """Wait until the upgrade restarts the device; fail at once if it fails."""
    def restarted() -> bool:
        try:
            failed = device.machine.run("systemctl is-failed --quiet power-cut-upgrade")
        except GuestError:  # the guest is going down
            failed = None
        if device.machine.process.poll() is not None:
            return True
        if failed is not None and failed.returncode == 0:
            log = device.machine.run("journalctl -u power-cut-upgrade --no-pager | tail -20")
            pytest.fail(f"the upgrade failed:\n{log.output}")
        return False
    wait_until(restarted, timeout=timeout, interval=2, what="the upgrade to restart the device")


def cut_power(device: Device, started: float, after: float) -> str:
    """Kill QEMU `after` seconds into the upgrade; a restart the upgrade made itself
    is followed by the next power-on, and the cut may then fall into that boot."""
    machine = device.machine
    deadline = started + after
    while time.monotonic() < deadline:
        if machine.process.poll() is not None:  # the upgrade restarted the device
            machine.boot()
        time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
    return "upgrading" if machine.cut_power() else "restarting"


def bundle_drive(work: Path) -> Path:
    """The test image's bundle in a tar file, for the drive named DRIVE (the
    guest reads it from /dev/disk/by-id/virtio-DRIVE)."""
    disk = work / "bundle.tar"
    with tarfile.open(disk, "w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(base_bundle(), arcname="bundle.raucb")
    return disk


def booted_slot(device: Device) -> str:
    """The slot this boot came from (A or B), as GRUB told the kernel."""
    return device.machine.run("sed -n 's/.*rauc\\.slot=\\([AB]\\).*/\\1/p' /proc/cmdline",
                              check=True).output.strip()


def led_tells_the_outcome(device: Device) -> LEDReading:
    """The status LED as the manual has it once the boot gate has decided on
    the cut upgrade: red, flashing slowly, after one that failed (cut while
    it installed), else steady green."""
    machine = device.machine
    wait_until(lambda: machine.run(f"test -e {PENDING}").returncode != 0, timeout=300,
               interval=1, what="the boot gate's decision on the cut upgrade")
    result = machine.run(f"cat {RESULT} 2>/dev/null || echo {{}}", check=True).output
    failed = json.loads(result).get("outcome") == "failed"
    board = VirtualBoard(machine.qmp, machine.board_trace)

    def shown() -> LEDReading | None:
        led = board.led()
        if failed:
            right = led.colour == "red" and led.pattern == "blink" \
                and abs(led.period - SLOW_FLASH) < 0.5
        else:
            right = (led.colour, led.pattern) == ("green", "steady")
        return led if right else None

    return wait_until(shown, timeout=180, interval=0.5, what=(
        "the LED red, flashing slowly" if failed else "the LED steady green") +
        f" (last upgrade: {result.strip()})")
