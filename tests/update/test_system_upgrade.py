"""Firmware upgrades and rollbacks on a Herald device in QEMU, as an
administrator does them: from the Maintenance page in a browser and through
firmwaremanagement.cgi.

One device with its own disk goes through the whole story, so the chapters
run in file order, each from where the one before left the device (a chapter
that finds it elsewhere fails at once; after a failure the next chapter
starts on a fresh device, see story.py): bad bundles are refused with the
reason and change nothing; a standard upgrade from the page and one from the
API come back on the new version with the settings; a rollback returns to the
previous version; an Autorollback upgrade nobody confirms goes back by
itself, one whose restart the power cuts off is still on trial after it and
stays once confirmed; a slot whose firmware does not come up is given up by
the boot gate, one that never finishes booting (its kernel panics, then GRUB
cannot load it; the device restarts itself each time) is left after its
three GRUB tries (both fall back by themselves); a factory-default upgrade
comes back with default settings, no root password and no way back. Last,
power cuts: QEMU is killed at random moments of upgrades, and every next
power-on comes up on a working slot with every setting and account as before
(`pytest --power-cuts N` sets how many, default 5; scripts/soak runs 50 on
their own; the run prints each cut and how many the device survived).

Versions: the test image's own firmware (e.g. 0.1.0) and the same root
filesystem released as NEW (0.2.0), see device.version_bundle.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from qemu.vm import restart_cause
from tests.update import power_cut
from tests.update.browser import chromium, log_in, shot, start_upgrade
from tests.update.bundle_server import BundleServer
from tests.update.conftest import SmallBundles
from tests.update.device import ROOT_PASSWORD, Device, base_bundle, image_version, version_bundle
from tests.update.story import CHAPTER_REPORTS, SETTINGS, Start, Story

pytestmark = [pytest.mark.system, pytest.mark.slow, pytest.mark.browser]

NEW = "0.2.0"


@pytest.fixture(scope="module")
def old() -> str:
    return image_version()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    work = tmp_path_factory.mktemp("upgrade-vm")
    story = Story(work, NEW, version_bundle(NEW), {power_cut.DRIVE: power_cut.bundle_drive(work)})
    try:
        yield story
    finally:
        story.stop()


@pytest.fixture(autouse=True)
def chapter(story: Story, request: pytest.FixtureRequest) -> Iterator[None]:
    """After a chapter that failed: say what the device knows, start the next afresh."""
    yield
    report = request.node.stash.get(CHAPTER_REPORTS, {}).get("call")
    if report is None or report.failed:
        story.chapter_failed(request.node.name)


def running(device: Device) -> str:
    return device.params("Properties.Firmware")["root.Properties.Firmware.Version"]


def kept_settings(story: Story) -> None:
    assert story.device.settings_fingerprint() == story.settings
    assert story.device.params("SIP")["root.SIP.Port"] == SETTINGS["SIP.Port"]


BAD = [  # (bundle, VAPIX error code, words of the reason)
    ("unsigned", 415, "not a complete Herald firmware bundle"),
    ("other_key", 422, "not signed by a key this device trusts"),
    ("truncated", 415, "not a complete Herald firmware bundle"),
    ("flipped", 415, "damaged"),
    ("wrong_compatible", 421, "this firmware is for 'herald-raspberrypi' devices"),
]


def test_bad_bundles_are_refused_with_the_reason_and_nothing_changes(
        story: Story, small_bundles: SmallBundles, old: str):
    device = story.begin(Start("A", old))
    before = device.slots()
    for name, code, reason in BAD:
        answer = device.upgrade(getattr(small_bundles, name))
        assert answer["error"]["code"] == code, (name, answer)
        assert reason in answer["error"]["message"], (name, answer)
        assert device.machine.process.poll() is None, f"{name}: the device restarted"
        assert device.slots() == before, f"{name}: a slot changed"
        assert device.primary() == "A"
        kept_settings(story)
    assert running(device) == old
    status = device.rpc("status")["data"]
    assert status["isCommited"] and status["activeFirmwarePart"] == "A"


def test_the_page_shows_why_a_bundle_was_refused(
        story: Story, small_bundles: SmallBundles, old: str):
    device = story.begin(Start("A", old))
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, device.url, "root", ROOT_PASSWORD)
        start_upgrade(page, small_bundles.flipped)
        # The page may still show the last chapter's refusal: wait for this one's reason.
        expect(page.locator("[data-fw=progress-message]")).to_contain_text(
            "damaged", timeout=120_000)
        expect(page.locator("[data-fw=progress-title]")).to_have_text(
            "The firmware was not installed")
        shot(page, "qemu-refused-flipped-byte")
    assert device.primary() == "A"


def test_standard_upgrade_from_the_page_comes_back_new_with_the_settings(
        story: Story, old: str):
    device = story.begin(Start("A", old))
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, device.url, "root", ROOT_PASSWORD)
        start_upgrade(page, story.new_bundle)
        title = page.locator("[data-fw=progress-title]")
        expect(title).to_have_text("Installing the firmware", timeout=600_000)
        shot(page, "qemu-standard-installing")
        expect(title).to_have_text("Restarting", timeout=900_000)
        device.restarted()
        # The page waits for the device and reloads on the new firmware.
        expect(page.locator("[data-fw=version]")).to_have_text(NEW, timeout=600_000)
        shot(page, "qemu-standard-upgraded")
    device.wait_committed("B")
    assert running(device) == NEW
    kept_settings(story)


def test_status_page_shows_the_version_and_both_slots(story: Story, old: str):
    device = story.begin(Start("B", NEW, old))
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, device.url, "root", ROOT_PASSWORD)
        page.goto(device.url + "/status/")
        expect(page.locator("[data-fact=firmware]")).to_have_text(NEW)
        expect(page.locator("[data-fact=slot-B]")).to_contain_text(f"{NEW}: running, good")
        expect(page.locator("[data-fact=slot-A]")).to_contain_text(f"{old}: not running, good")
        expect(page.locator("[data-fact=firmware-last]")).to_contain_text(
            f"Upgraded from firmware {old} to {NEW}")
        shot(page, "qemu-status-slots")


def test_rollback_returns_to_the_previous_version_with_the_settings(story: Story, old: str):
    device = story.begin(Start("B", NEW, old))
    device.roll_back()
    device.wait_committed("A")
    assert running(device) == old
    kept_settings(story)


def test_standard_upgrade_from_the_api(story: Story, old: str):
    device = story.begin(Start("A", old))
    device.upgrade_and_restart(story.new_bundle, NEW, autoCommit="default")
    status = device.wait_committed("B")
    assert status["activeFirmwareVersion"] == NEW and status["inactiveFirmwareVersion"]
    kept_settings(story)


def test_autorollback_not_confirmed_returns_by_itself(story: Story, old: str):
    device = story.begin(Start("B", NEW))
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, device.url, "root", ROOT_PASSWORD)
        start_upgrade(page, base_bundle(), "autorollback", minutes=1)
        expect(page.locator("[data-fw=progress-title]")).to_have_text(
            "Restarting", timeout=900_000)
        device.restarted()
        # Back on trial: the page counts down and offers Confirm; nobody clicks it.
        page.goto(device.url + "/maintenance/")
        expect(page.locator("[data-fw=trial]")).to_be_visible(timeout=600_000)
        expect(page.locator("[data-fw=trial-version]")).to_have_text(old)
        expect(page.locator("[data-fw=countdown]")).to_have_text(re.compile(r"0:\d\d"))
        shot(page, "qemu-autorollback-countdown")
    assert device.slots()["A"]["state"] == "booted"
    device.restarted()  # the boot gate gave the slot up and restarted
    status = device.wait_committed("B")
    assert status["activeFirmwareVersion"] == NEW
    last = device.machine.run("cat /data/herald/update/result.json", check=True).output
    assert f"The upgrade to {old} was not confirmed within 1 minute;" in last


def test_autorollback_survives_a_power_cut_and_confirmed_stays(story: Story, old: str):
    device = story.begin(Start("B", NEW))
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, device.url, "root", ROOT_PASSWORD)
        start_upgrade(page, base_bundle(), "autorollback", minutes=10)
        expect(page.locator("[data-fw=progress-title]")).to_have_text(
            "Restarting", timeout=900_000)
        # The power fails as the device restarts: the Autorollback choice, its
        # time to confirm and the upgrade's record were on disk before.
        assert device.machine.cut_power(), "the device had ended before the power cut"
        device.start()
        page.goto(device.url + "/maintenance/")
        expect(page.locator("[data-fw=trial]")).to_be_visible(timeout=600_000)
        expect(page.locator("[data-fw=trial-version]")).to_have_text(old)
        expect(page.locator("[data-fw=countdown]")).to_have_text(re.compile(r"^\d:\d\d$"))
        page.get_by_role("button", name="Confirm").click()
        expect(page.locator("[data-fw=trial]")).to_be_hidden()
        expect(page.locator("[data-fw=progress-message]")).to_contain_text("confirmed")
        shot(page, "qemu-autorollback-confirmed")
    status = device.wait_committed("A")
    assert status["activeFirmwareVersion"] == old and status["inactiveFirmwareVersion"] == NEW
    assert device.primary() == "A"


# Firmware that does not start: the web admin's entry point fails at once. The
# boot gate gives it half a minute (not the default five) to answer.
BROKEN_FIRMWARE = """
sed 's/^HERALD_HEALTH_TIMEOUT=.*/HERALD_HEALTH_TIMEOUT=30/' /etc/default/herald > /run/herald.env
mount --bind /run/herald.env /etc/default/herald
printf '#!/bin/sh\\necho simulated broken firmware >&2\\nexit 1\\n' > /run/broken-herald-web
chmod 755 /run/broken-herald-web
mount --bind /run/broken-herald-web /usr/lib/herald/venv/bin/herald-web
"""
# A slot that never finishes booting: in its first boot slot B's disk is
# damaged and its kernel crashes (the kernel restarts the device by itself,
# panic= on its command line); after that GRUB cannot load it at all, and
# restarts the device itself too.
BREAKS_SLOT_B = """
if grep -q 'rauc.slot=B' /proc/cmdline; then
    dd if=/dev/zero of=/dev/disk/by-partlabel/rootB bs=1M count=4 conv=fsync
    echo c > /proc/sysrq-trigger
fi
"""


def test_a_slot_whose_firmware_fails_is_given_up_by_itself(story: Story, old: str):
    device = story.begin(Start("A", old, NEW))
    # The other slot (B, good) becomes the one to boot next, but its firmware
    # will not start.
    device.machine.run("rauc status mark-active other", check=True)
    device.machine.reboot(boot_script=BROKEN_FIRMWARE)
    # Nobody touches the device: the boot gate gives slot B up and restarts
    # (which ends this QEMU process); the next boot is slot A again.
    device.machine.wait_for_exit(timeout=900)
    assert "Herald: booting slot B" in device.machine.console()
    device.start()
    assert "Herald: booting slot A" in device.machine.console()
    device.wait_committed("A")
    assert device.slots()["B"]["boot_status"] == "bad"
    assert running(device) == old


def test_a_slot_that_never_finishes_booting_is_left_after_three_tries(story: Story, old: str):
    device = story.begin(Start("A", old, NEW))
    device.machine.run("rauc status mark-active other", check=True)
    restarted = len(device.machine.restarts)
    device.machine.reboot(boot_script=BREAKS_SLOT_B)
    device.machine.wait_until_up(timeout=900)  # powers on again after every restart
    tries = [(set(re.findall(r"Herald: booting slot (\w), try (\d) of 3", console)),
              "Kernel panic" in console, "Herald: slot B could not be started" in console)
             for console in device.machine.restarts[restarted:]]
    assert tries == [({("B", "1")}, True, False),
                     ({("B", "2")}, False, True),
                     ({("B", "3")}, False, True)]
    assert "Herald: booting slot A" in device.machine.console()
    device.wait_committed("A")
    assert running(device) == old


def test_factory_default_upgrade_from_a_web_server_downloads_little_and_comes_back_default(
        story: Story, old: str, tmp_path: Path):
    device = story.begin(Start("A", old))
    served = tmp_path / "served"
    served.mkdir()
    (served / "new.raucb").symlink_to(story.new_bundle)
    with BundleServer(served) as server:
        missing = device.upgrade_from(server.guest_url("old.raucb"), factoryDefaultMode="hard")
        assert missing["error"]["code"] == 424, missing  # unreachable: nothing changes
        assert "no firmware could be read from" in missing["error"]["message"], missing
        answer = device.upgrade_from(server.guest_url("new.raucb"), factoryDefaultMode="hard")
        assert answer.get("data") == {"firmwareVersion": NEW}, answer
        # RAUC took from slot A what the new firmware shares with the old.
        assert 0 < server.served.bytes < story.new_bundle.stat().st_size / 10
    device.restarted()
    # No root password: the first visit sets it, anyone may.
    reply = httpx.get(device.url + "/maintenance/", follow_redirects=False, timeout=60)
    assert reply.headers["location"] == "/setup/"
    device.set_root_password()
    device.wait_committed("B")
    assert running(device) == NEW
    assert device.params("SIP")["root.SIP.Port"] == "5060"
    # No going back after a factory-default upgrade.
    assert device.slots()["A"]["boot_status"] == "bad"
    assert device.rpc("rollback")["error"]["code"] == 404


def test_power_cuts_during_upgrades_always_leave_a_working_device(
        story: Story, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture):
    device = story.begin(None)
    cuts = request.config.getoption("--power-cuts")

    def report(line: str) -> None:
        """Straight to the terminal: every run shows its cuts, also when it passes."""
        with capsys.disabled():
            print(line, flush=True)

    device.set_params(**{"SIP.Port": "5070", "Network.HostName": "power-cut"})
    power_cut.stage_bundle(device)
    settings = device.settings_fingerprint()
    slot = power_cut.booted_slot(device)

    # One whole upgrade first: how long it takes to install and to restart.
    started = power_cut.start_upgrade(device)
    power_cut.upgrade_restarts(device)
    installing = time.monotonic() - started
    device.start()
    device.wait_committed({"A": "B", "B": "A"}[slot])
    whole = time.monotonic() - started
    report(f"\nuncut upgrade: {installing:.0f} s to install, {whole:.0f} s until kept")

    seed = time.time_ns()
    report(f"cut points from random seed {seed}")
    rng = random.Random(seed)
    for number in range(1, cuts + 1):
        started = power_cut.start_upgrade(device)
        after = rng.uniform(0, installing)
        phase = power_cut.cut_power(device, started, after)
        restarted = len(device.machine.restarts)
        answered = device.start()  # the next power-on, up to answering on HTTP
        slot = power_cut.booted_slot(device)
        assert device.slots()[slot]["state"] == "booted"
        assert device.settings_fingerprint() == settings, f"cut {number}: settings changed"
        causes = [restart_cause(c) for c in device.machine.restarts[restarted:]]
        led = power_cut.led_tells_the_outcome(device)
        report(f"cut {number}: {after:5.1f} s into the upgrade ({phase}); came back on slot "
               f"{slot} with its settings, answering after {answered:.0f} s, the LED {led}"
               + "".join(f"\n  it restarted itself on the way: {c}" for c in causes))
    # The last power-on decides like every other: a slot is kept, the firmware works.
    assert device.wait_committed(slot)["isCommited"]
    report(f"survived {cuts} of {cuts} power cuts")
