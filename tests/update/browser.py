"""The Maintenance page driven in headless Chromium, for the host and the QEMU tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts" / "update"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TYPES = {"standard": "Standard upgrade", "factory-default": "Factory default: upgrade",
         "autorollback": "Autorollback: upgrade"}


@contextmanager
def chromium() -> Iterator[Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def shot(page: Page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def log_in(page: Page, base: str, name: str, password: str) -> None:
    page.goto(base + "/login/?next=/maintenance/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Maintenance", exact=True)).to_be_visible()


def start_upgrade(page: Page, bundle: Path, kind: str = "standard", minutes: int = 5) -> None:
    """Choose the file and the upgrade type on the Maintenance page and click Upgrade."""
    page.get_by_label("Firmware file").set_input_files(str(bundle))
    page.get_by_label(TYPES[kind]).check()
    if kind == "autorollback":
        page.get_by_label("Minutes to confirm").fill(str(minutes))
    page.get_by_role("button", name="Upgrade", exact=True).click()
