"""The Maintenance page in a real browser on a development host: the chosen
file is uploaded with a progress bar and, with no RAUC here, the page says
why nothing was installed; an Autorollback trial shows up on the open page."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from playwright.sync_api import expect

from herald.update.contract import TRIAL, Trial
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


@pytest.mark.browser
def test_a_trial_announced_while_the_page_is_open_shows_its_countdown(herald):
    """The boot gate announces an Autorollback trial as the services come up,
    often just as the administrator's page loads: the open page shows it."""
    account = herald.accounts["admin"]
    bus = herald.bus()
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, herald.http_url, account.name, account.password)
        trial = page.locator("[data-fw=trial]")
        expect(trial).to_be_hidden()
        try:
            bus.set_state(TRIAL, Trial("2.0.0", "1.0.0", time.time() + 185).to_dict())
            expect(trial).to_be_visible()
            expect(page.locator("[data-fw=trial-version]")).to_have_text("2.0.0")
            expect(page.locator("[data-fw=countdown]")).to_have_text(re.compile(r"^3:0\d$"))
        finally:
            bus.set_state(TRIAL, None)
        expect(trial).to_be_hidden()


@pytest.mark.browser
def test_the_upgrade_buttons_wait_for_the_pages_script(herald):
    """Upgrade, Roll back and Confirm work through the page's script: before it
    runs (here: never, scripts off) they cannot be clicked, so an early click
    cannot submit a bare form that reloads the page and uploads nothing."""
    account = herald.accounts["admin"]
    buttons = ("#upgrade-form button[type=submit]", "#rollback-form button[type=submit]",
               "[data-fw-action=confirm]")
    with chromium() as browser:
        for scripts in (False, True):
            context = browser.new_context(java_script_enabled=scripts)
            page = context.new_page()
            log_in(page, herald.http_url, account.name, account.password)
            for selector in buttons:
                button = page.locator(selector)
                if scripts:
                    expect(button).to_be_enabled()
                else:
                    expect(button).to_be_disabled()
            context.close()
