"""System-test fixtures: the built test image booted in QEMU (TCG).

`device` is one throwaway-snapshot VM shared by the tests here; tests that
change slots or reboot make their own machine (see tests/update).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qemu.vm import Machine, deployed_image, forwarded_ports
from tests.conftest import wait_until

TEST_IMAGE = "herald-image-test"


def wait_for_good_slot(machine: Machine, bootname: str, timeout: float = 600) -> None:
    """Wait until the health check has marked the booted slot good."""
    def good() -> bool:
        slot = machine.slots()[bootname]
        return slot["state"] == "booted" and slot.get("boot_status") == "good"
    wait_until(good, timeout=timeout, interval=5, what=f"slot {bootname} booted and marked good")


def update(root: httpx.Client, **values: str) -> None:
    """Change parameters as a site's tools do (param.cgi action=update); keyword
    names are the parameters' with dots as underscores."""
    answer = root.get("/axis-cgi/param.cgi", params={
        "action": "update", **{name.replace("_", "."): value for name, value in values.items()}})
    assert answer.text == "OK\n", answer.text


def active_state(machine: Machine, unit: str) -> str:
    """systemd's word for the unit now: active, inactive, activating, failed."""
    return machine.run(f"systemctl is-active {unit}").output.strip()


@pytest.fixture(scope="session")
def test_image() -> Path:
    return deployed_image(TEST_IMAGE)


@pytest.fixture(scope="package")
def device(test_image: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machine]:
    """The test image booted once for tests/system, changes thrown away; powered
    off when they are done (an idle guest still takes CPU from the next ones)."""
    machine = Machine(image=test_image, workdir=tmp_path_factory.mktemp("device"),
                      snapshot=True, ports=forwarded_ports())
    try:
        machine.boot()
        machine.wait_until_up()
        yield machine
    finally:
        machine.poweroff()



@pytest.fixture(autouse=True)
def device_powered_on(request: pytest.FixtureRequest) -> None:
    """A test that left the shared device off (it restarted by itself, e.g.
    after a factory default) hands the next one a device booted again."""
    if "device" not in request.fixturenames:
        return
    machine: Machine = request.getfixturevalue("device")
    if machine.process is not None and machine.process.poll() is not None:
        machine.boot()
        machine.wait_until_up()


ROOT_PASSWORD = "Speaker test 1!"


@pytest.fixture(scope="package")
def root(device: Machine) -> Iterator[httpx.Client]:
    """The shared device's root account, made as a new owner does (the first
    account, with no password before it), and a Digest client logged in as it."""
    base = device.http_url.rstrip("/")

    def web_up() -> bool:
        try:
            return httpx.get(base + "/healthz", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(web_up, timeout=600, interval=2, what="the web admin in the guest")
    with httpx.Client(base_url=base, timeout=60) as anonymous:
        made = anonymous.post("/axis-cgi/pwdgrp.cgi", data={
            "action": "add", "user": "root", "pwd": ROOT_PASSWORD, "grp": "root",
            "sgrp": "admin:operator:viewer:ptz"})
        assert made.status_code == 200, made.text
    with httpx.Client(base_url=base, timeout=60,
                      auth=httpx.DigestAuth("root", ROOT_PASSWORD)) as client:
        yield client
