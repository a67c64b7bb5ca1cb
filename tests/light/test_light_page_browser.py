"""The Light page in a real browser (headless Chromium) on the whole device:
a profile previewed and saved, started into the activity list with the
shown row highlighted and the status LED following, stopped; export, and an
import that is refused with the reason and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from herald.audio import contract as audio
from herald.hal.led import LEDState
from herald.simulation.board import SimulatedBoard
from tests.audio.browser import ARTIFACTS, operator_page
from tests.audio.conftest import Events
from tests.audio.webstack import AudioDevice, audio_device
from tests.conftest import wait_until


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AudioDevice]:
    with audio_device(tmp_path_factory.mktemp("light")) as whole:
        yield whole


@pytest.fixture
def page(device: AudioDevice) -> Iterator[Page]:
    with operator_page(device) as page:
        yield page


def fill_profile(page: Page, name: str, colour: str, priority: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Pattern").select_option("blink")
    page.get_by_label("Color").select_option(colour)
    page.get_by_label("Priority").select_option(priority)


@pytest.mark.browser
def test_create_preview_start_and_stop_a_profile(device: AudioDevice, page: Page,
                                                 tmp_path: Path) -> None:
    board = SimulatedBoard(device.stack.data_dir / "board")
    page.goto(device.stack.http_url + "/status/")
    page.get_by_role("link", name="Light", exact=True).click()
    expect(page.get_by_role("heading", name="Light", exact=True)).to_be_visible()
    activities = page.locator("#activities")

    fill_profile(page, "Evacuation", "red", "8")
    page.get_by_role("button", name="Preview").click()
    row = activities.locator("tr", has_text="Evacuation")
    expect(row).to_have_class("shown")
    expect(row).to_contain_text("8")
    wait_until(lambda: board.led_state().colour == "red" and board.led_state().pattern == "blink",
               what="the preview on the LED")
    expect(page.locator("#profiles")).not_to_contain_text("Evacuation")  # not saved
    row.get_by_role("button", name="Stop").click()
    expect(activities).to_contain_text("No light activities")
    wait_until(lambda: board.led_state() == LEDState("green", 1.0, "steady"),
               what="normal operation's green again")

    fill_profile(page, "Evacuation", "red", "8")
    page.get_by_role("button", name="Save").click()
    fill_profile(page, "Info", "amber", "3")
    page.get_by_role("button", name="Save").click()
    profiles = page.locator("#profiles")
    for name in ("Info", "Evacuation"):
        profiles.locator("tr", has_text=name).get_by_role("button", name="Start").click()
    expect(activities.locator("tr.shown")).to_contain_text("Evacuation")
    expect(activities.locator("tbody tr")).to_have_count(2)
    page.screenshot(path=ARTIFACTS / "light-activities.png", full_page=True)
    activities.locator("tr.shown").get_by_role("button", name="Stop").click()
    expect(activities.locator("tr.shown")).to_contain_text("Info")
    wait_until(lambda: board.led_state().colour == "amber", what="the amber profile on the LED")

    profiles.locator("tr", has_text="Info").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit Info")).to_be_visible()
    page.get_by_label("Description").fill("Doors open")
    page.get_by_label("Priority").select_option("9")
    page.get_by_role("button", name="Save").click()
    expect(profiles.locator("tr", has_text="Info")).to_contain_text("Doors open")
    expect(profiles.locator("tbody tr")).to_have_count(2)  # changed, not added
    profiles.locator("tr", has_text="Info").get_by_role("link", name="Copy").click()
    expect(page.get_by_label("Name")).to_have_value("Copy of Info")
    expect(page.get_by_label("Description")).to_have_value("Doors open")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export all profiles").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert [p["name"] for p in exported] == ["Evacuation", "Info"]

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{**exported[0], "name": "New"}, {"name": "Loud", "priority": 12}]))
    page.get_by_label("Profiles file (JSON)").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("priority must be a whole number from 1 to 10")).to_be_visible()
    expect(profiles.locator("tbody tr")).to_have_count(2)  # nothing of the file came in


@pytest.mark.browser
def test_locate_device_beeps_and_flashes_identify(device: AudioDevice, page: Page) -> None:
    board = SimulatedBoard(device.stack.data_dir / "board")
    events = Events(device.stack.redis_url)
    try:
        page.goto(device.stack.http_url + "/status/")
        page.get_by_role("button", name="Locate device").click()
        expect(page.get_by_text("The speaker beeps and its status LED flashes.")).to_be_visible()
        assert events.wait(audio.started("tone")).data["frequency"] == 1000
    finally:
        events.close()
    wait_until(lambda: board.led_state() == LEDState("amber", 1.0, "blink", 0.2, 0.2),
               what="Identify's amber flashes")
    page.get_by_role("link", name="Light", exact=True).click()
    shown = page.locator("#activities tr.shown")
    expect(shown).to_contain_text("Identify")
    expect(shown).to_contain_text("12")
