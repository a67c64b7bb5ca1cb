"""The Maintenance page in a real browser on a development host: the chosen
file is uploaded with a progress bar and, with no RAUC here, the page says
why nothing was installed."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from tests.update.browser import chromium, log_in, shot, start_upgrade


@pytest.mark.browser
def test_the_page_uploads_and_shows_why_nothing_was_installed(herald, tmp_path):
    bundle = tmp_path / "herald.raucb"
    bundle.write_bytes(secrets.token_bytes(20 * 1024 * 1024))  # three pieces
    account = herald.accounts["admin"]
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, herald.http_url, account.name, account.password)
        start_upgrade(page, bundle)
        title = page.locator("[data-fw=progress-title]")
        expect(title).to_have_text("The firmware was not installed", timeout=60_000)
        expect(page.locator("[data-fw=progress-message]")).to_contain_text("not available")
        shot(page, "host-upgrade-refused")
    assert not list((herald.data_dir / "firmware-upload").glob("*.raucb"))
