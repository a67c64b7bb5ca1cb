"""Benchmark of the Herald OS image build (`kas build kas.yml`).

Works on a fresh clone of the committed tree (so the shared working tree is
never touched) with the project's download cache (build/downloads) and prints:

* clean build time with warm downloads (empty tmp/ and sstate, full DL_DIR);
* no-op build time (nothing changed);
* rebuild time after a one-line change in webadmin/, and the tasks it ran;
* the sizes of the disk image (apparent and mapped by its bmap) and bundle.

Usage: .venv/bin/python bench/image_build.py   (root, about 5 minutes)
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
    with tempfile.TemporaryDirectory(prefix="herald-image-bench-") as tmp:
        clone = Path(tmp) / "herald"
        subprocess.run(["git", "clone", "-q", "--shared", str(REPO), str(clone)], check=True)
        (clone / ".venv").symlink_to(REPO / ".venv")
        # scripts/setup's last step (the rest it needs is shared: the venv, the packages).
        subprocess.run([clone / "signing" / "dev-pki", clone / "signing" / "dev"], check=True)

        clean, ran = kas_build(clone)
        print(f"clean build, warm downloads: {clean:7.1f} s  ({len(ran)} tasks)")
        noop, ran = kas_build(clone)
        print(f"no-op build:                 {noop:7.1f} s  ({len(ran)} tasks)")

        urls = clone / "webadmin" / "herald_web" / "urls.py"
        urls.write_text(urls.read_text() + "# one-line change for the benchmark\n")
        rebuild, ran = kas_build(clone)
        print(f"rebuild after a webadmin/ line: {rebuild:5.1f} s  ({len(ran)} tasks: "
              f"{', '.join(ran)})")
        print(f"  ratios: no-op/clean {noop / clean:.3f}, rebuild/clean {rebuild / clean:.2f}")

        deploy = clone / "build" / "deploy" / "qemux86-64"
        image = deploy / "herald-image-qemux86-64.wic"
        bmap = ET.parse(image.with_suffix(".wic.bmap")).getroot()
        mapped = int(bmap.findtext("MappedBlocksCount")) * int(bmap.findtext("BlockSize"))
        bundle = deploy / "herald-image-qemux86-64.raucb"
        mib = 1024 * 1024
        print(f"disk image: {image.stat().st_size / mib:7.1f} MiB apparent, "
              f"{mapped / mib:.1f} MiB mapped (bmap)")
        print(f"bundle:     {bundle.stat().st_size / mib:7.1f} MiB")
        work = clone / "build" / "tmp" / "work" / "qemux86-64" / "herald-image" / "1.0-r0"
        rootfs_mib = subprocess.run(["du", "-sm", str(work / "rootfs")], capture_output=True,
                                    text=True, check=True).stdout.split()[0]
        print(f"root filesystem: {rootfs_mib} MiB in a "
              f"{(work / 'rootfs.ext4').stat().st_size / mib:.0f} MiB slot")

if __name__ == "__main__":
    main()
