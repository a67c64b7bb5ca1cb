"""Real RAUC bundles for tests, made with the build's own tools.

The image build runs RAUC, mksquashfs and debugfs in its cached Debian trixie
tools chroot (layers/meta-herald, recipe herald-tools); the tests use the
same tools, so every bundle here is made and signed exactly as a release is:
good ones with the development key, bad ones as an attacker or an accident
would make them (another CA, no signature, cut short, one byte flipped,
another device's compatible string).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

TOOLS_ROOT = REPO / "build" / "tmp" / "sysroots" / "herald-tools"
CHROOT = REPO / "layers" / "meta-herald" / "scripts" / "herald-chroot"
DEV_PKI = REPO / "signing" / "dev"
SQUASHFS_ARGS = "-comp zstd -Xcompression-level 1"


@dataclass(frozen=True)
class Pki:
    cert: Path
    key: Path
    ca: Path

    @classmethod
    def at(cls, directory: Path) -> Pki:
        return cls(directory / "signing.cert.pem", directory / "signing.key.pem",
                   directory / "ca.cert.pem")


def ensure_tools() -> Path:
    """The tools chroot, built (with the rest of its recipe's tasks) if missing."""
    if not (TOOLS_ROOT / "usr" / "bin" / "rauc").exists():
        subprocess.run([str(REPO / ".venv" / "bin" / "kas"), "build", "kas.yml",
                        "--target", "herald-tools"], cwd=REPO, check=True, timeout=3600)
    return TOOLS_ROOT


def tools(work: Path, *command: str, binds: tuple[tuple[Path, str], ...] = ()) -> str:
    """Run a command in the tools chroot with `work` at /w; returns its output."""
    args = [str(CHROOT), str(ensure_tools()), "--bind", f"{work}:/w"]
    for source, target in binds:
        args += ["--bind", f"{source}:{target}"]
    done = subprocess.run([*args, "--", *command], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def dev_pki() -> Pki:
    """The development signing key the image trusts (made on first use, as the build does)."""
    subprocess.run([str(REPO / "signing" / "dev-pki"), str(DEV_PKI)], check=True,
                   capture_output=True, timeout=60)
    return Pki.at(DEV_PKI)


def other_pki(directory: Path) -> Pki:
    """A throwaway CA and signer that no Herald device trusts."""
    subprocess.run([str(REPO / "signing" / "dev-pki"), str(directory), "Someone else"],
                   check=True, capture_output=True, timeout=60)
    return Pki.at(directory)


def _host_conf(compatible: str) -> str:
    return textwrap.dedent(f"""\
        [system]
        compatible={compatible}
        bootloader=noop

        [keyring]
        path=/pki/ca.cert.pem
        check-purpose=codesign
        """)


def bundle(work: Path, rootfs: Path, out: Path, version: str, compatible: str,
           pki: Pki) -> Path:
    """Sign `rootfs` (an ext4 slot image) into a verity bundle as the image build does."""
    content = work / f"content-{out.stem}"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    (content / "rootfs.ext4").hardlink_to(rootfs)
    (content / "manifest.raucm").write_text(textwrap.dedent(f"""\
        [update]
        compatible={compatible}
        version={version}
        build={version}
        description=Herald OS {version}

        [bundle]
        format=verity

        [image.rootfs]
        filename=rootfs.ext4
        adaptive=block-hash-index
        """))
    (work / "host.conf").write_text(_host_conf(compatible))
    out.unlink(missing_ok=True)
    pki_dir = work / f"pki-{out.stem}"
    shutil.rmtree(pki_dir, ignore_errors=True)
    pki_dir.mkdir()
    for source, name in ((pki.cert, "cert.pem"), (pki.key, "key.pem"), (pki.ca, "ca.cert.pem")):
        shutil.copyfile(source, pki_dir / name)
    tools(work, "rauc", "--conf=/w/host.conf", "bundle", "--cert=/pki/cert.pem",
          "--key=/pki/key.pem", "--signing-keyring=/pki/ca.cert.pem",
          f"--mksquashfs-args={SQUASHFS_ARGS}", f"/w/{content.name}", f"/w/{out.name}",
          binds=((pki_dir, "/pki"),))
    shutil.rmtree(content)
    shutil.rmtree(pki_dir)
    return out


def small_rootfs(work: Path, version: str, size_mb: int = 8) -> Path:
    """A small ext4 slot image with an os-release and some incompressible content."""
    tree = work / f"tree-{version}"
    (tree / "etc").mkdir(parents=True, exist_ok=True)
    (tree / "etc" / "os-release").write_text(f"ID=herald\nVERSION_ID={version}\n")
    (tree / "payload").write_bytes(os.urandom(size_mb * 1024 * 512))
    image = work / f"rootfs-{version}.ext4"
    image.unlink(missing_ok=True)
    tools(work, "mkfs.ext4", "-q", "-d", f"/w/{tree.name}", f"/w/{image.name}", f"{size_mb}M")
    return image


def unsigned(work: Path, rootfs: Path, out: Path) -> Path:
    """The bundle's squashfs without any signature."""
    content = work / "content-unsigned"
    content.mkdir(exist_ok=True)
    (content / "rootfs.ext4").unlink(missing_ok=True)
    (content / "rootfs.ext4").hardlink_to(rootfs)
    out.unlink(missing_ok=True)
    tools(work, "mksquashfs", f"/w/{content.name}", f"/w/{out.name}", *SQUASHFS_ARGS.split(),
          "-quiet", "-no-progress")
    shutil.rmtree(content)
    return out


def truncated(source: Path, out: Path) -> Path:
    """The first two thirds of a good bundle: a download cut short."""
    with source.open("rb") as whole, out.open("wb") as part:
        part.write(whole.read(source.stat().st_size * 2 // 3))
    return out


def flipped(source: Path, out: Path, offset: int | None = None) -> Path:
    """A good bundle with the bits of one payload byte inverted (as RAUC's own tests do)."""
    shutil.copyfile(source, out)
    where = offset if offset is not None else min(1024 * 1024 + 512, source.stat().st_size // 2)
    with out.open("r+b") as f:
        f.seek(where)
        byte = f.read(1)
        f.seek(where)
        f.write(bytes([byte[0] ^ 0xFF]))
    return out


def inspect(work: Path, bundle_path: Path, compatible: str, pki: Pki) -> dict:
    """What `rauc info` says of a bundle (checking its signature against `pki`)."""
    (work / "info.conf").write_text(_host_conf(compatible))
    shutil.copyfile(pki.ca, work / "info-ca.pem")
    out = tools(work, "rauc", "--conf=/w/info.conf", "info", "--output-format=json-2",
                f"/w/{bundle_path.name}", binds=((work / "info-ca.pem", "/pki/ca.cert.pem"),))
    return json.loads(out)
