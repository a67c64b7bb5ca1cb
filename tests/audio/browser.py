"""Headless Chromium logged in to a host device's web admin as its operator,
for the tests of the audio pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, sync_playwright

from tests.audio.webstack import AudioDevice
from tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts" / "audio"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required"]


@contextmanager
def operator_page(device: AudioDevice) -> Iterator[Page]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            account = device.stack.accounts["operator"]
            page.goto(device.stack.http_url + "/login/")
            page.get_by_label("Username").fill(account.name)
            page.get_by_label("Password").fill(account.password)
            page.get_by_role("button", name="Log in").click()
            yield page
        finally:
            browser.close()
