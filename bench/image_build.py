"""Benchmark of the Herald OS image build (`kas build kas.yml`).

Works on a fresh clone of the committed tree (so the shared working tree is
never touched) with the project's download cache (build/downloads) and prints:

* clean build time with warm downloads (empty tmp/ and sstate, full DL_DIR);
* no-op build time (nothing changed);
* rebuild time after a one-line change in webadmin/, and the tasks it ran
  (their names on stderr);
* the ratios of the no-op build and of the rebuild to the clean build;
* the sizes of the disk image (apparent and mapped by its bmap) and bundle,
  the root filesystem's use and its slot's size.

Usage: .venv/bin/python bench/image_build.py [--json]   (root, about 5 minutes)
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

        urls = clone / "webadmin" / "herald_web" / "urls.py"
        urls.write_text(urls.read_text() + "# one-line change for the benchmark\n")
        rebuild, ran = kas_build(clone)
        report.add("rebuild_after_webadmin_line", rebuild, "s")
        report.add("rebuild_tasks", len(ran), "count")
        note(f"rebuild after a webadmin/ line ran: {', '.join(ran)}")
        report.add("noop_build_over_clean", noop / clean, "x")
        report.add("rebuild_over_clean", rebuild / clean, "x")

        deploy = clone / "build" / "deploy" / "qemux86-64"
        image = deploy / "herald-image-qemux86-64.wic"
        bmap = ET.parse(image.with_suffix(".wic.bmap")).getroot()
        mapped = int(bmap.findtext("MappedBlocksCount")) * int(bmap.findtext("BlockSize"))
        bundle = deploy / "herald-image-qemux86-64.raucb"
        mib = 1024 * 1024
        report.add("disk_image_apparent", image.stat().st_size / mib, "MiB")
        report.add("disk_image_mapped", mapped / mib, "MiB")
        report.add("bundle_size", bundle.stat().st_size / mib, "MiB")
        work = clone / "build" / "tmp" / "work" / "qemux86-64" / "herald-image" / "1.0-r0"
        rootfs_mib = subprocess.run(["du", "-sm", str(work / "rootfs")], capture_output=True,
                                    text=True, check=True).stdout.split()[0]
        report.add("rootfs_used", int(rootfs_mib), "MiB")
        report.add("rootfs_slot", (work / "rootfs.ext4").stat().st_size / mib, "MiB")


if __name__ == "__main__":
    main()
