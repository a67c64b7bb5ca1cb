"""Compare two builds' deployed outputs byte for byte (scripts/reproducible).

A RAUC bundle is compared by its payload, the squashfs image: the verity hash
tree RAUC appends is salted at random and the signature carries its signing
time, so those two parts differ between any two signings of the same payload.
"""

from __future__ import annotations

import filecmp
import shutil
import struct
import subprocess
import sys
from pathlib import Path

SQUASHFS_MAGIC = b"hsqs"
BYTES_USED = struct.Struct("<Q")  # the squashfs superblock's bytes_used, at offset 40


def bundle_payload(path: Path) -> bytes:
    """The squashfs image at the start of a bundle, as long as its superblock says."""
    with open(path, "rb") as bundle:
        superblock = bundle.read(96)
        if superblock[:4] != SQUASHFS_MAGIC:
            raise ValueError(f"{path}: not a squashfs bundle")
        bundle.seek(0)
        return bundle.read(BYTES_USED.unpack_from(superblock, 40)[0])


def same(one: Path, two: Path) -> bool:
    if one.suffix == ".raucb":
        return bundle_payload(one) == bundle_payload(two)
    return filecmp.cmp(one, two, shallow=False)


def first_difference(one: Path, two: Path) -> str:
    done = subprocess.run(["cmp", str(one), str(two)], capture_output=True, text=True)
    return (done.stdout or done.stderr).strip()


def main(first: Path, second: Path) -> int:
    names = sorted({p.relative_to(first) for p in first.rglob("*") if p.is_file()}
                   | {p.relative_to(second) for p in second.rglob("*") if p.is_file()})
    differing = []
    for name in names:
        one, two = first / name, second / name
        if not (one.is_file() and two.is_file()):
            print(f"only in one build: {name}")
            differing.append(name)
        elif same(one, two):
            print(f"same: {name}" + (" (payload; verity salt and signature differ)"
                                     if one.suffix == ".raucb" else ""))
        else:
            print(f"DIFFERS: {name}: {first_difference(one, two)}")
            differing.append(name)
    if differing and shutil.which("diffoscope"):
        for name in differing:
            if (first / name).is_file() and (second / name).is_file():
                subprocess.run(["diffoscope", str(first / name), str(second / name)])
    print(f"reproducible: {len(names) - len(differing)} of {len(names)} outputs the same")
    return 1 if differing else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: compare_builds.py DEPLOY_DIR DEPLOY_DIR")
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
