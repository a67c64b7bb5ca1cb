"""The test image boots in QEMU to a working device: web admin on the
forwarded port, slot A booted and marked good, read-only root, state on /data."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.conftest import wait_until
from tests.system.conftest import wait_for_good_slot

pytestmark = [pytest.mark.system, pytest.mark.slow]


def test_web_admin_answers_on_forwarded_http_port(device):
    def healthz():
        try:
            with urllib.request.urlopen(device.http_url + "healthz", timeout=10) as response:
                return response.status, json.load(response)
        except OSError:
            return None

    status, body = wait_until(healthz, timeout=600, interval=2, what="herald-web on the host port")
    assert status == 200
    # herald-web's own health report: its database and Redis answer.
    assert body["database"] is True and body["redis"] is True
    assert all(value is True for value in body.values())


def test_slot_a_is_booted_and_marked_good(device):
    wait_for_good_slot(device, "A")
    slots = device.slots()
    assert slots["A"]["state"] == "booted"
    assert slots["B"]["state"] == "inactive"
    env = device.run("grub-editenv /boot/efi/grub/grubenv list", check=True).output.split()
    assert "A_TRY=0" in env and "A_OK=1" in env


def test_root_is_read_only_and_state_lives_on_data(device):
    assert device.run("touch /usr/lib/herald/probe").returncode != 0
    mounts = device.run("findmnt -n -o FSTYPE,OPTIONS /data", check=True).output
    assert mounts.startswith("ext4") and "rw" in mounts.split()[1].split(",")
    assert device.run("test -d /data/herald && test -w /var/lib").returncode == 0


def test_device_identity_comes_from_the_mac_address(device):
    serial = device.run("cat /data/identity/serial", check=True).output.strip()
    mac = device.run("cat /sys/class/net/enp0s2/address", check=True).output.strip()
    assert serial == mac.replace(":", "").upper()
    assert device.run("hostname", check=True).output.strip() == "herald-" + serial[-6:].lower()


def test_missing_grub_environment_is_recreated_for_the_running_slot(device):
    wait_for_good_slot(device, "A")
    device.run("rm /boot/efi/grub/grubenv", check=True)
    device.run("systemctl restart herald-grubenv.service", check=True)
    env = device.run("grub-editenv /boot/efi/grub/grubenv list", check=True).output.split()
    assert env[:2] == ["ORDER=A", "B"]
    assert {"A_OK=1", "A_TRY=0", "B_OK=0"} <= set(env)
    # RAUC works with the new environment: the running slot is good again.
    device.run("rauc status mark-good booted", check=True)
    wait_for_good_slot(device, "A")


def test_basic_device_info_tells_the_firmware_and_when_it_was_built(device):
    request = urllib.request.Request(
        device.http_url + "axis-cgi/basicdeviceinfo.cgi", method="POST",
        data=json.dumps({"apiVersion": "1.0", "method": "getAllUnrestrictedProperties"}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        properties = json.load(response)["data"]["propertyList"]
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}", properties["BuildDate"]), (
        properties["BuildDate"])
    assert properties["Version"] != properties["BuildDate"]


def test_the_power_button_is_watched_for_a_clean_poweroff(device):
    """QEMU's system_powerdown (a pressed power button) must shut the device
    down cleanly; without the ACPI button driver nothing heard it."""
    watching = wait_until(
        lambda: "(Power Button)" in (out := device.run(
            "journalctl -b -u systemd-logind --no-pager").output) and out,
        timeout=120, interval=2, what="systemd-logind to watch the power button")
    assert "Watching system buttons" in watching
