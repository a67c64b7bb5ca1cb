"""What `kas build kas.yml` deploys: disk image with bmap, signed bundle,
package manifest with licenses, SPDX SBOM; the production image carries no
debug access."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qemu.vm import REPO

pytestmark = pytest.mark.system
DEPLOY = REPO / "build" / "deploy" / "qemux86-64"
IMAGE = "herald-image-qemux86-64"


def test_deploy_holds_image_bmap_bundle_manifest_and_sbom():
    for suffix in (".img", ".img.bmap", ".raucb", ".manifest", ".spdx.json"):
        assert (DEPLOY / (IMAGE + suffix)).stat().st_size > 0, suffix


def test_bmap_describes_the_disk_image():
    bmap = ET.parse(DEPLOY / f"{IMAGE}.img.bmap").getroot()
    size = int(bmap.findtext("ImageSize"))
    assert size == (DEPLOY / f"{IMAGE}.img").stat().st_size
    mapped = int(bmap.findtext("MappedBlocksCount"))
    assert 0 < mapped < int(bmap.findtext("BlocksCount"))


def gpt_partitions(disk: Path) -> list[tuple[str, int, int]]:
    """(name, first MiB, size in MiB) of each partition in a GPT disk image."""
    with disk.open("rb") as f:
        f.seek(512)
        header = f.read(92)
        entries_at, count, entry_size = struct.unpack_from("<QII", header, 72)
        f.seek(entries_at * 512)
        table = f.read(count * entry_size)
    found = []
    for i in range(count):
        entry = table[i * entry_size:(i + 1) * entry_size]
        first, last = struct.unpack_from("<QQ", entry, 32)
        if first:
            name = entry[56:128].decode("utf-16-le").rstrip("\0")
            found.append((name, first * 512 // 2**20, (last - first + 1) * 512 // 2**20))
    return found


def test_the_disk_is_laid_out_as_the_machine_conf_says():
    """HERALD_DISK_LAYOUT is the one place the partitions are defined."""
    conf = (REPO / "layers" / "meta-herald-bsp" / "conf" / "machine" / "qemux86-64.conf")
    layout = re.search(r'^HERALD_DISK_LAYOUT = "(.*)"', conf.read_text(), re.M).group(1)
    expected, start = [], 1
    for name, _type, mib in (part.split(":") for part in layout.split()):
        expected.append((name, start, int(mib)))
        start += int(mib)
    assert gpt_partitions(DEPLOY / f"{IMAGE}.img") == expected


def manifest(image: str) -> dict[str, list[str]]:
    lines = (DEPLOY / f"{image}.manifest").read_text().splitlines()
    return {fields[0]: fields[1:] for fields in (line.split("\t") for line in lines[1:])}


def test_manifest_lists_packages_with_licenses():
    packages = manifest(IMAGE)
    for name in ("systemd", "rauc", "redis-server", "herald-firmware", "Django", "numpy"):
        assert name in packages, name
    assert packages["herald-firmware"][2] == "GPL-3.0-or-later"
    assert packages["rauc"][2] != "NOASSERTION"


def test_production_image_has_no_debug_access():
    assert "herald-debug" not in manifest(IMAGE)
    assert "herald-debug" in manifest("herald-image-test-qemux86-64")


def test_sbom_is_spdx_and_describes_every_manifest_package():
    doc = json.loads((DEPLOY / f"{IMAGE}.spdx.json").read_text())
    assert doc["spdxVersion"] == "SPDX-2.3"
    names = {p["name"] for p in doc["packages"]}
    assert set(manifest(IMAGE)) <= names
    ids = {p["SPDXID"] for p in doc["packages"]}
    assert all(r["relatedSpdxElement"] in ids for r in doc["relationships"])


def kas_build() -> str:
    env = dict(os.environ, PATH=f"{REPO / '.venv' / 'bin'}:{os.environ['PATH']}")
    build = subprocess.run(["kas", "build", "kas.yml"], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    return build.stdout + build.stderr


def test_second_build_runs_no_task_and_downloads_nothing():
    downloads = REPO / "build" / "downloads"

    def snapshot() -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in downloads.rglob("*") if p.is_file()}

    kas_build()  # brings the build up to date with the working tree
    before = snapshot()
    log = kas_build()
    summary = re.search(r"Attempted (\d+) tasks of which (\d+) didn't need to be rerun", log)
    assert summary and summary.group(1) == summary.group(2), log[-3000:]
    assert "Running task" not in log
    assert snapshot() == before
