"""System > Logs > Remote system log in a real browser (headless Chromium):
an administrator adds a server with the form, sees it sending, and the
receiver (a real rsyslogd) gets the device's log; Remove takes it away."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from herald.system import contract
from tests.conftest import REPO, wait_until
from tests.remote_syslog.rsyslog import Receiver
from tests.webadmin.stack import HeraldStack

ARTIFACTS = REPO / "test-artifacts" / "webadmin"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.browser
def test_an_administrator_adds_and_removes_a_server(herald: HeraldStack, tmp_path: Path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    receiver = Receiver(tmp_path / "rsyslog", contract.TCP)
    receiver.start()
    account = herald.accounts["admin"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(herald.http_url + "/login/")
            page.get_by_label("Username").fill(account.name)
            page.get_by_label("Password").fill(account.password)
            page.get_by_role("button", name="Log in").click()
            page.goto(herald.http_url + "/system/logs/")
            section = page.locator("#remote-syslog")
            expect(section.get_by_text("No server.")).to_be_visible()
            section.get_by_label("Host", exact=True).fill("127.0.0.1")
            section.get_by_label("Protocol", exact=True).select_option("TCP")
            section.get_by_label("Port (0: the protocol's default)").fill(str(receiver.port))
            section.get_by_label("Format", exact=True).select_option("RFC5424")
            section.get_by_label("Severity").select_option("debug")
            section.get_by_role("button", name="Add server").click()
            expect(page.get_by_text("Added server S0.")).to_be_visible()
            row = section.locator("tbody tr", has_text="127.0.0.1")
            expect(row).to_contain_text("RFC5424")
            expect(row).to_contain_text(str(receiver.port))
            wait_until(lambda: page.reload() and "sending" in row.inner_text(),
                       what="the page to say the server is sent to")
            page.screenshot(path=ARTIFACTS / "remote-syslog.png", full_page=True)
            # herald-system logs the connection; it is sent as any line is.
            wait_until(lambda: receiver.lines(f"127.0.0.1:{receiver.port} (TCP) connected"),
                       what="the device's log at the receiver")
            row.get_by_role("button", name="Remove").click()
            expect(page.get_by_text("Removed server S0.")).to_be_visible()
            expect(section.get_by_text("No server.")).to_be_visible()
        finally:
            browser.close()
            receiver.stop()
