"""The Speaker test page in a real browser (headless Chromium): calibrate, run
the test, see the result and the chart; a changed room fails and the chart
marks the band; Status shows the calibration; a viewer may not run it."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.audio.browser import ARTIFACTS, operator_page
from tests.audio.rooms import NOTCH_2K, ROOM_DB, ROOM_DELAY_MS
from tests.audio.webstack import AudioDevice

RUN_MS = 20000  # a calibration takes about 4 s on the host; room for a busy machine


@pytest.fixture
def page(device: AudioDevice) -> Iterator[Page]:
    device.card.set_scene(np.zeros(4800, dtype=np.float32), 48000)
    device.card.set_room(ROOM_DB, ROOM_DELAY_MS)
    with operator_page(device) as page:
        yield page
    device.card.set_room(None)


@pytest.mark.browser
def test_calibrate_test_and_see_the_chart(device: AudioDevice, page: Page) -> None:
    page.goto(device.stack.http_url + "/audio/")
    page.get_by_role("link", name="Speaker test").click()
    expect(page.get_by_role("heading", name="Speaker test", exact=True)).to_be_visible()

    page.get_by_role("button", name="Calibrate").click()
    expect(page.locator("#calibration")).to_contain_text("Calibrated", timeout=RUN_MS)
    plot = page.locator("#speaker-test-plot")
    expect(plot.locator("[data-series=calibration]")).to_have_count(1)
    expect(plot.locator("[data-series=test]")).to_have_count(0)

    page.get_by_role("button", name="Run the test").click()
    expect(page.locator("#last-result")).to_contain_text("Passed the test", timeout=RUN_MS)
    expect(plot.locator("[data-series=test]")).to_have_count(1)
    expect(plot.locator("[data-series=failed]")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "speaker-test-passed.png", full_page=True)

    device.card.set_room(ROOM_DB, ROOM_DELAY_MS, response=NOTCH_2K)
    page.get_by_role("button", name="Run the test").click()
    expect(page.locator("#last-result")).to_contain_text("Didn't pass the test", timeout=RUN_MS)
    expect(page.locator("#last-result")).to_contain_text("2 kHz")
    assert plot.locator("[data-series=failed]").count() >= 1
    page.screenshot(path=ARTIFACTS / "speaker-test-failed.png", full_page=True)

    page.goto(device.stack.http_url + "/status/")
    section = page.locator("section", has=page.get_by_role("heading", name="Speaker test"))
    expect(section).to_contain_text("Calibrated")
    expect(section).to_contain_text("Didn't pass the test")
    expect(section).to_contain_text("(2 kHz)")


def test_a_viewer_may_not_run_the_speaker_test(device: AudioDevice) -> None:
    with device.stack.browser(device.stack.accounts["viewer"]) as viewer:
        assert viewer.post("/speaker-test/calibrate/").status_code == 403
        assert viewer.get("/speaker-test/", follow_redirects=False).status_code in (302, 403)
