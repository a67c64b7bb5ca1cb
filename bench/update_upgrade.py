#!/usr/bin/env python3
"""Firmware upgrade figures on the test image in QEMU (TCG): how long an
upgrade takes to upload, check and install, how long from the restart until
the new slot is kept (confirmed by the boot gate), and how big a bundle is
against the root filesystem it carries.

    .venv/bin/python bench/update_upgrade.py [--rounds N] [--json]

Each round's figures are printed as it ends (round1_..., round2_...), then the
medians over the rounds, the bundle's size and its ratios to the root
filesystem (used space, slot image).

Needs `kas build kas.yml:kas/test.yml`. Times are wall-clock on a shared,
TCG-emulated machine: read them as sizes, compare ratios between runs.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from figures import arguments, figures, note

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / p) for p in ("", "firmware")]

from tests.update import bundles  # noqa: E402
from tests.update.device import Device, base_bundle, version_bundle  # noqa: E402


def worker_times(device: Device) -> dict[str, float]:
    """When the worker took the upgrade and when it had installed it (guest clock)."""
    out = device.machine.run("journalctl -b -u herald-worker -o json --no-pager",
                             check=True).output
    stamps = {}
    for line in out.splitlines():
        entry = json.loads(line)
        text = str(entry.get("MESSAGE", ""))
        when = int(entry["__REALTIME_TIMESTAMP"]) / 1e6
        if "firmware upgrade" in text:
            stamps["received"] = when
        elif "installed; it starts" in text:
            stamps["installed"] = when
    return stamps


def sizes(bundle: Path, device: Device) -> tuple[int, int, int]:
    """Bundle bytes, slot image bytes, bytes the root filesystem uses."""
    info = bundles.inspect(bundle.parent, bundle, "herald-qemux86-64", bundles.dev_pki())
    image = sum(image["size"] for image in info["images"])
    used = int(device.machine.run("df -B1 --output=used / | tail -1", check=True).output)
    return bundle.stat().st_size, image, used


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="upgrades to time (default 2)")
    args = parser.parse_args()
    versions = [f"0.{9 + n}.0" for n in range(args.rounds)]
    with figures(args) as report, tempfile.TemporaryDirectory(prefix="bench-update-") as work:
        prepared = {v: version_bundle(v) for v in versions}
        device = Device.create(Path(work) / "vm")
        try:
            boot = device.start()
            device.set_root_password()
            slot = "A"
            device.wait_committed(slot)
            size, image, used = sizes(base_bundle(), device)
            uploads, installs, restarts = [], [], []
            for number, version in enumerate(versions, 1):
                note(f"round {number}: upgrade to {version}")
                started = time.monotonic()
                answer = device.upgrade(prepared[version])
                assert answer.get("data") == {"firmwareVersion": version}, answer
                replied = time.monotonic()
                stamps = worker_times(device)
                installs.append(stamps["installed"] - stamps["received"])
                uploads.append(replied - started - installs[-1])
                device.machine.wait_for_exit(timeout=600)
                rebooted = time.monotonic()
                device.start()
                slot = "B" if slot == "A" else "A"
                device.wait_committed(slot)
                restarts.append(time.monotonic() - rebooted)
                report.add(f"round{number}_request", replied - started, "s")
                report.add(f"round{number}_upload", uploads[-1], "s")
                report.add(f"round{number}_install", installs[-1], "s")
                report.add(f"round{number}_restart_to_kept_slot", restarts[-1], "s")
        finally:
            device.stop()
        median = statistics.median
        report.add("first_boot_to_http", boot, "s")
        report.add("upload", median(uploads), "s")
        report.add("upload_rate", size / median(uploads) / 1e6, "MB/s")
        report.add("install", median(installs), "s")
        report.add("install_rate", size / median(installs) / 1e6, "MB/s")
        report.add("restart_to_kept_slot", median(restarts), "s")
        report.add("bundle_size", size / 1e6, "MB")
        report.add("slot_image", image / 1e6, "MB")
        report.add("rootfs_used", used / 1e6, "MB")
        report.add("bundle_over_rootfs_used", size / used, "x")
        report.add("bundle_over_slot_image", size / image, "x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
