"""System > Date and time in a real browser (headless Chromium) on a host
device with a real chronyd: found in the menu, an NTP server and a time zone
saved and the page then showing the device in sync with that server; a bad
server refused naming the field; Custom date and time set from the
computer's clock with "Get from system"; the device's location saved."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from herald.system import contract as system
from tests.clock.conftest import TimedDevice
from tests.conftest import wait_until
from tests.update.browser import chromium, shot


def save(page: Page) -> None:
    """Save the Settings form (the first Save; Device location has its own)."""
    page.locator("form", has=page.get_by_label("Synchronization")).get_by_role(
        "button", name="Save").click()


def log_in(page: Page, device: TimedDevice) -> None:
    account = device.stack.accounts["admin"]
    page.goto(device.stack.http_url + "/login/?next=/status/")
    page.get_by_label("Username").fill(account.name)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_save_the_date_and_time_settings(timed: TimedDevice) -> None:
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, timed)
        page.get_by_role("link", name="System", exact=True).click()
        page.get_by_role("link", name="Date and time", exact=True).click()
        expect(page.get_by_role("heading", name="Date and time", exact=True)).to_be_visible()

        page.get_by_label("Synchronization").select_option("NTP")
        page.get_by_label("NTP servers from DHCP").select_option("no")
        page.get_by_label("NTP server", exact=True).fill("127.0.0.1")
        page.get_by_label("Time zone", exact=True).fill("Europe/Stockholm")
        save(page)
        expect(page.locator(".messages")).to_contain_text("Saved:")
        expect(page.locator("#local-time")).to_have_text(re.compile(r"\+0[12]:00$"))
        localtime = timed.time_dir / "localtime"
        wait_until(lambda: os.readlink(localtime).endswith("/Europe/Stockholm")
                   if localtime.is_symlink() else False, timeout=30, what="the time zone")

        def in_sync() -> bool:
            page.reload()
            return "In sync" in page.locator("main").inner_text()
        wait_until(in_sync, timeout=60, interval=1, what="the page to say In sync")
        expect(page.locator("main")).to_contain_text("127.0.0.1")
        shot(page, "date-and-time-in-sync")

        page.get_by_label("Second NTP server").fill("not a host!")
        save(page)
        expect(page.locator(".messages")).to_contain_text(
            "Nothing was saved: Second NTP server (Time.NTP.Server2) must be a host name")
        assert timed.params.snapshot().get(system.NTP_SERVER2) == ""

        page.get_by_label("Synchronization").select_option("None")
        save(page)
        expect(page.locator(".messages")).to_contain_text("Saved: Time.SyncSource.")
        page.get_by_role("button", name="Get from system").click()
        expect(page.get_by_label("Date and time (UTC or with its offset)")).to_have_value(
            re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"))
        page.get_by_role("button", name="Set", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("Date and time set to")
        assert len(timed.client.chronyc("-c", "manual", "list").splitlines()) == 1

        location = page.locator("#device-location")

        def save_location(heading: str) -> None:
            location.get_by_label("Latitude").fill("59.3293")
            location.get_by_label("Longitude").fill("18.0686")
            location.get_by_label("Heading").fill(heading)
            location.get_by_label("Label").fill("Lobby, north wall")
            location.get_by_role("button", name="Save").click()
        save_location("400")
        expect(page.locator(".messages")).to_contain_text(
            "Nothing was saved: Heading (compass degrees, 0 is due north) (Geolocation.Heading) "
            "must be between 0 and 360")
        assert timed.params.snapshot().get(system.LATITUDE) == ""
        save_location("90")
        expect(page.locator(".messages")).to_contain_text("Saved: Geolocation.")
        expect(location.get_by_label("Label")).to_have_value("Lobby, north wall")
        assert [timed.params.snapshot().get(name) for name in system.LOCATION] == [
            "59.3293", "18.0686", "90", "Lobby, north wall"]
