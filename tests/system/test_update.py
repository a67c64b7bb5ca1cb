"""Signed A/B updates on a device in QEMU: bundles signed by another key or
with one flipped byte are refused while the device keeps running slot A; the
freshly built bundle boots slot B; a slot whose firmware does not come up is
given up by the health check and the device falls back by itself; a slot
that never finishes booting is left after its three boot tries.

The steps build on each other on one persistent disk (each reboot is a new
QEMU process), so the tests run in file order.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from qemu.vm import REPO, Machine
from tests.system.conftest import boot, forwarded_ports, slot_states, wait_for_good_slot

pytestmark = [pytest.mark.system, pytest.mark.slow]

DEPLOY = REPO / "build" / "deploy" / "qemux86-64"
TOOLS_ROOT = REPO / "build" / "tmp" / "sysroots" / "herald-tools"
DEV_PKI = REPO / "signing" / "dev"
# Firmware that does not start: the web admin's entry point fails at once.
BROKEN_FIRMWARE = """
printf '#!/bin/sh\\necho simulated broken firmware >&2\\nexit 1\\n' > /run/broken-herald-web
chmod 755 /run/broken-herald-web
mount --bind /run/broken-herald-web /usr/lib/herald/venv/bin/herald-web
"""
# A slot that never finishes booting: slot A restarts itself early in every boot.
RESTARTS_ON_SLOT_A = "grep -q 'rauc.slot=A' /proc/cmdline && systemctl reboot --force || true\n"


def tools(*command: str, binds: dict[Path, str]) -> None:
    """Run a command in the build's trixie tools chroot (rauc is not on the host)."""
    args = [str(REPO / "layers/meta-herald/scripts/herald-chroot"), str(TOOLS_ROOT)]
    for host, guest in binds.items():
        args += ["--bind", f"{host}:{guest}"]
    subprocess.run([*args, "--", *command], check=True, capture_output=True)


def as_disk(bundle: Path) -> Path:
    """A tar of one bundle, to attach as a disk the guest unpacks."""
    disk = bundle.with_suffix(".tar")
    with tarfile.open(disk, "w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(bundle, arcname="update.raucb")
    return disk


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The built bundle, the same re-signed by another CA, and one with a flipped byte."""
    work = tmp_path_factory.mktemp("bundles")
    good = work / "good.raucb"
    shutil.copyfile(DEPLOY / "herald-image-test-qemux86-64.raucb", good)

    other_pki = work / "other-pki"
    subprocess.run([str(REPO / "signing/dev-pki"), str(other_pki), "Somebody else"], check=True)
    (work / "host.conf").write_text(
        "[system]\ncompatible=x\nbootloader=noop\n[keyring]\ncheck-purpose=codesign\n")
    tools("rauc", "--conf=/w/host.conf", "resign", "--cert=/other/signing.cert.pem",
          "--key=/other/signing.key.pem", "--keyring=/dev-pki/ca.cert.pem",
          "--signing-keyring=/other/ca.cert.pem", "/w/good.raucb", "/w/other-key.raucb",
          binds={work: "/w", other_pki: "/other", DEV_PKI: "/dev-pki"})

    flipped = work / "flipped.raucb"
    shutil.copyfile(good, flipped)
    with flipped.open("r+b") as f:
        f.seek(flipped.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    return {name: as_disk(work / f"{name}.raucb") for name in ("good", "other-key", "flipped")}


@pytest.fixture(scope="module")
def machine(test_image: Path, bundles: dict[str, Path],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machine]:
    """A device with its own persistent disk, booted on slot A."""
    vm = Machine(image=test_image, workdir=tmp_path_factory.mktemp("update-vm"),
                 snapshot=False, ports=forwarded_ports(), drives=bundles)
    boot(vm)
    wait_for_good_slot(vm, "A")
    try:
        yield vm
    finally:
        vm.shutdown()


def install(machine: Machine, name: str):
    """Unpack one attached bundle into /data and `rauc install` it."""
    machine.run(f"mkdir -p /data/bundles && tar -xf /dev/disk/by-id/virtio-{name} "
                "-C /data/bundles", timeout=300, check=True)
    result = machine.run("rauc install /data/bundles/update.raucb", timeout=900)
    machine.run("rm -f /data/bundles/update.raucb", check=True)
    return result


def assert_still_on_a(machine: Machine) -> None:
    slots = slot_states(machine)
    assert slots["A"]["state"] == "booted" and slots["A"]["boot_status"] == "good"
    assert machine.run("rauc status --output-format=shell | grep ^RAUC_BOOT_PRIMARY=",
                       check=True).output.strip() == "RAUC_BOOT_PRIMARY='rootfs.0'"


def test_bundle_signed_by_another_key_is_refused(machine):
    result = install(machine, "other-key")
    assert result.returncode != 0
    assert "signature verification failed" in result.output
    assert_still_on_a(machine)


def test_bundle_with_a_flipped_byte_is_refused(machine):
    result = install(machine, "flipped")
    assert result.returncode != 0
    assert "failed" in result.output.lower()
    assert_still_on_a(machine)


def test_installed_bundle_boots_slot_b(machine):
    result = install(machine, "good")
    assert result.returncode == 0, result.output
    assert "Installing `/data/bundles/update.raucb` succeeded" in result.output
    machine.reboot()
    machine.wait_until_up()
    wait_for_good_slot(machine, "B")
    slots = slot_states(machine)
    assert slots["A"]["state"] == "inactive"
    version = machine.run(". /etc/os-release && echo $VERSION_ID", check=True).output.strip()
    assert slots["B"]["slot_status"]["bundle"]["version"] == version


def test_slot_whose_firmware_fails_falls_back_by_itself(machine):
    # Slot A becomes the one to boot next, but its firmware will not start.
    machine.run("rauc status mark-active other", check=True)
    machine.reboot(boot_script=BROKEN_FIRMWARE)
    # Nobody touches the device: the health check gives slot A up and reboots
    # (which ends this QEMU process), and the next boot is slot B again.
    machine.wait_for_exit(timeout=900)
    assert "Herald: booting slot A" in machine.console()
    boot(machine)
    assert "Herald: booting slot B" in machine.console()
    slots = slot_states(machine)
    assert slots["B"]["state"] == "booted"
    assert slots["A"]["boot_status"] == "bad"
    wait_for_good_slot(machine, "B")


def test_slot_that_never_finishes_booting_is_left_after_three_tries(machine):
    machine.run("rauc status mark-active other", check=True)
    machine.reboot(boot_script=RESTARTS_ON_SLOT_A)
    for attempt in (1, 2, 3):
        machine.wait_for_exit(timeout=600)
        assert f"Herald: booting slot A, try {attempt} of 3" in machine.console()
        machine.boot(RESTARTS_ON_SLOT_A)
    machine.wait_until_up()
    assert "Herald: booting slot B" in machine.console()
    assert slot_states(machine)["B"]["state"] == "booted"
    wait_for_good_slot(machine, "B")
