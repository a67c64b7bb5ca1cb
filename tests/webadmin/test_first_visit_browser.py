"""First visit in a real browser (headless Chromium): set the root password,
log in, see Status, change a parameter in Plain config and see it applied,
live on an open Status page and in what an anonymous visitor may now see."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import REPO
from tests.webadmin.fixtures import set_up_accounts

ARTIFACTS = REPO / "test-artifacts" / "webadmin"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "Lobby speaker 42!"


@pytest.fixture
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def shot(page, name: str) -> Path:
    path = ARTIFACTS / f"first-visit-{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.mark.browser
def test_first_visit_to_an_applied_parameter(fresh_herald, browser):
    base = fresh_herald.http_url
    context = browser.new_context()
    page = context.new_page()

    page.goto(base + "/")
    expect(page).to_have_url(base + "/setup/")
    expect(page.get_by_role("heading", name="Set a password for the root account")).to_be_visible()
    shot(page, "1-set-root-password")

    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The passwords are not the same.")).to_be_visible()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(base + "/login/")
    expect(page.get_by_text("The root password is set.")).to_be_visible()

    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("The account name or the password is wrong.")).to_be_visible()
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(base + "/status/")
    expect(page.get_by_role("heading", name="Device info")).to_be_visible()
    serial = (fresh_herald.data_dir / "identity" / "serial").read_text().strip()
    expect(page.locator("[data-fact=serial]")).to_have_text(serial)
    expect(page.locator("[data-fact=firmware]")).to_have_text("0.1.0-dev")
    expect(page.locator(".live-state")).to_have_text("Live")
    expect(page.locator("[data-fact=anonymous-viewing]")).to_have_text("Not allowed")
    shot(page, "2-status")

    # A second tab keeps Status open while the setting changes in the first.
    watcher = context.new_page()
    watcher.goto(base + "/status/")
    expect(watcher.locator(".live-state")).to_have_text("Live")

    page.get_by_role("link", name="System").click()
    page.get_by_role("link", name="Plain config").click()
    page.get_by_role("link", name="System", exact=True).last.click()
    expect(page.get_by_role("heading", name="System", exact=True)).to_be_visible()
    page.get_by_label("AnonymousViewing").select_option("yes")
    shot(page, "3-plain-config")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: System.AnonymousViewing.")).to_be_visible()
    expect(page.get_by_label("AnonymousViewing")).to_have_value("yes")

    expect(watcher.locator("[data-fact=anonymous-viewing]")).to_have_text("Allowed")
    shot(watcher, "4-status-updated-live")

    stranger = browser.new_context().new_page()
    stranger.goto(base + "/status/")
    expect(stranger).to_have_url(base + "/status/")
    expect(stranger.get_by_role("heading", name="Device info")).to_be_visible()
    expect(stranger.get_by_role("link", name="Maintenance")).to_have_count(0)
    shot(stranger, "5-anonymous-viewer")

    page.get_by_role("button", name="Set light theme or dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    shot(page, "6-dark-theme")


MENU_PAGES = ("/status/", "/audio/", "/recordings/", "/system/detectors/", "/system/accounts/",
              "/system/logs/", "/system/plain-config/", "/maintenance/")


@pytest.mark.browser
def test_every_page_keeps_to_the_content_policy(herald, browser):
    """The pages' scripts and styles all come from files the policy allows: no
    inline code for the browser to refuse (a refused script is a dead button)."""
    context = browser.new_context()
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.goto(herald.http_url + "/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(herald.accounts["root"].password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(herald.http_url + "/status/")
    for path in MENU_PAGES:
        reply = page.goto(herald.http_url + path)
        assert reply.status == 200, path
        page.wait_for_load_state("load")
    context.close()
    assert not refused, "\n".join(refused)


@pytest.mark.browser
def test_a_live_refresh_keeps_view_details_open(fresh_herald, browser):
    """On a device of its own, so that only this test's connections come and go."""
    herald = fresh_herald
    set_up_accounts(herald)
    context = browser.new_context()
    page = context.new_page()
    page.goto(herald.http_url + "/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(herald.accounts["root"].password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".live-state")).to_have_text("Live")
    page.get_by_text("View details").click()
    details = page.locator("[data-live-section=clients] details")
    details.evaluate("d => { d.dataset.seen = 'before'; }")  # gone once the section is redrawn
    old_section = page.locator("[data-live-section=clients] details[data-seen]")
    host, port = herald.http_url.removeprefix("http://").split(":")
    clients = []
    try:
        # One client more changes the section, unless another left meanwhile: then one more.
        for _ in range(5):
            clients.append(socket.create_connection((host, int(port))))
            try:
                expect(old_section).to_have_count(0, timeout=15_000)
                break
            except AssertionError:
                continue
        else:
            pytest.fail("the connected clients section was never redrawn")
        assert details.evaluate("d => d.open"), "the redraw closed View details"
    finally:
        for client in clients:
            client.close()
    context.close()
