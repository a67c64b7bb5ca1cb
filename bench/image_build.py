"""Benchmark of the Herald OS image build (`kas build kas.yml`).

Works on a fresh clone of the committed tree (so the shared working tree is
never touched) with the project's download cache (build/downloads) and prints:

* clean build time with warm downloads (empty tmp/ and sstate, full DL_DIR);
* no-op build time (nothing changed);
* rebuild time after a one-line change in webadmin/, and the tasks it ran
  (their names on stderr);
* the ratios of the no-op build and of the rebuild to the clean build;
* the sizes of the disk image (apparent and mapped by its bmap) and bundle,
  the root filesystem's use and its slot's size;
* what an upgrade to the rebuilt firmware downloads: the clean build's disk
  boots in QEMU and installs the rebuilt bundle from a URL (firmwaremanagement.cgi
  with params.url), which RAUC streams adaptively; the bytes the web server
  sent, and their share of the bundle.

Usage: .venv/bin/python bench/image_build.py [--json]   (root, about 10 minutes)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from figures import arguments, figures, note

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware")]

from qemu.vm import Machine, forwarded_ports  # noqa: E402
from tests.conftest import wait_until  # noqa: E402
from tests.update.bundle_server import BundleServer  # noqa: E402
from tests.update.device import Device  # noqa: E402

IMAGE = "herald-image-qemux86-64"
TASK_RAN = re.compile(r"NOTE: recipe (\S+): task (do_\w+): Succeeded")


def kas_build(clone: Path) -> tuple[float, list[str]]:
    env = dict(os.environ, DL_DIR=str(REPO / "build" / "downloads"),
               PATH=f"{REPO / '.venv' / 'bin'}:{os.environ['PATH']}")
    started = time.monotonic()
    run = subprocess.run(["kas", "build", "kas.yml"], cwd=clone, env=env,
                         capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if run.returncode != 0:
        sys.exit(f"kas build failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    ran = [f"{pn} {task}" for pn, task in TASK_RAN.findall(run.stdout + run.stderr)
           if task != "do_setscene"]
    return elapsed, ran


def keep(deploy: Path, folder: Path) -> Path:
    """A copy of the deployed disk (sparse) and its QEMU settings; the disk's path."""
    folder.mkdir()
    for name in (f"{IMAGE}.img", f"{IMAGE}.qemuboot.json"):
        subprocess.run(["cp", "--sparse=always", str(deploy / name), str(folder / name)],
                       check=True)
    return folder / f"{IMAGE}.img"


def streamed_upgrade(disk: Path, bundle: Path, work: Path) -> tuple[int, float]:
    """The bytes a device booted from `disk` downloads to install `bundle` from
    a URL, and the seconds the install took."""
    served = work / "served"
    served.mkdir(parents=True)
    (served / bundle.name).hardlink_to(bundle)
    device = Device(Machine(image=disk, workdir=work / "vm", snapshot=False,
                            ports=forwarded_ports()))
    try:
        # The product image has no debug shell (Device.start waits for it): the web admin tells.
        device.machine.boot()
        wait_until(device.web_answers, timeout=600, interval=1, what="the web admin")
        device.set_root_password()
        with BundleServer(served) as server, device.vapix(timeout=1800) as client:
            started = time.monotonic()
            reply = client.post("/axis-cgi/firmwaremanagement.cgi", json={
                "apiVersion": "1.0", "method": "upgrade",
                "params": {"url": server.guest_url(bundle.name)}})
            took = time.monotonic() - started
            if "data" not in reply.json():
                sys.exit(f"the streamed upgrade failed: {reply.text}")
            return server.served.bytes, took
    finally:
        device.machine.shutdown()  # the power button: there is no shell to power off from


def main() -> None:
    options = arguments(__doc__).parse_args()
    with figures(options) as report, \
            tempfile.TemporaryDirectory(prefix="herald-image-bench-") as tmp:
        clone = Path(tmp) / "herald"
        subprocess.run(["git", "clone", "-q", "--shared", str(REPO), str(clone)], check=True)
        (clone / ".venv").symlink_to(REPO / ".venv")
        # scripts/setup's last step (the rest it needs is shared: the venv, the packages).
        subprocess.run([clone / "signing" / "dev-pki", clone / "signing" / "dev"], check=True)

        clean, ran = kas_build(clone)
        report.add("clean_build", clean, "s")
        report.add("clean_build_tasks", len(ran), "count")
        noop, ran = kas_build(clone)
        report.add("noop_build", noop, "s")
        report.add("noop_build_tasks", len(ran), "count")

        deploy = clone / "build" / "deploy" / "qemux86-64"
        before = keep(deploy, Path(tmp) / "before")

        urls = clone / "webadmin" / "herald_web" / "urls.py"
        urls.write_text(urls.read_text() + "# one-line change for the benchmark\n")
        rebuild, ran = kas_build(clone)
        report.add("rebuild_after_webadmin_line", rebuild, "s")
        report.add("rebuild_tasks", len(ran), "count")
        note(f"rebuild after a webadmin/ line ran: {', '.join(ran)}")
        report.add("noop_build_over_clean", noop / clean, "x")
        report.add("rebuild_over_clean", rebuild / clean, "x")

        image = deploy / f"{IMAGE}.img"
        bmap = ET.parse(image.with_suffix(".img.bmap")).getroot()
        mapped = int(bmap.findtext("MappedBlocksCount")) * int(bmap.findtext("BlockSize"))
        bundle = deploy / f"{IMAGE}.raucb"
        mib = 1024 * 1024
        report.add("disk_image_apparent", image.stat().st_size / mib, "MiB")
        report.add("disk_image_mapped", mapped / mib, "MiB")
        report.add("bundle_size", bundle.stat().st_size / mib, "MiB")
        work = clone / "build" / "tmp" / "work" / "qemux86-64" / "herald-image" / "1.0-r0"
        rootfs_mib = subprocess.run(["du", "-sm", str(work / "rootfs")], capture_output=True,
                                    text=True, check=True).stdout.split()[0]
        report.add("rootfs_used", int(rootfs_mib), "MiB")
        report.add("rootfs_slot", (work / "rootfs.ext4").stat().st_size / mib, "MiB")

        downloaded, took = streamed_upgrade(before, bundle, Path(tmp) / "upgrade")
        report.add("upgrade_webadmin_line_download", downloaded / mib, "MiB")
        report.add("upgrade_webadmin_line_download_share",
                   100 * downloaded / bundle.stat().st_size, "%")
        report.add("upgrade_webadmin_line_install", took, "s")


if __name__ == "__main__":
    main()
