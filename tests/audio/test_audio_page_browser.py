"""The Audio page in a real browser (headless Chromium): add a clip, play it, watch the meters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.audio.browser import ARTIFACTS, operator_page
from tests.audio.signals import bursts, dominant_frequency, encode, sine
from tests.audio.webstack import AudioDevice


@pytest.fixture
def page(device: AudioDevice) -> Iterator[Page]:
    with operator_page(device) as page:
        yield page


def meter(page, name: str) -> float:
    return float(page.get_by_label(name).evaluate("element => element.value"))


@pytest.mark.browser
def test_add_a_clip_play_it_and_see_the_meters_move(device: AudioDevice, page,
                                                    tmp_path: Path) -> None:
    device.card.set_scene(np.concatenate([sine(300, 0.5, amplitude=0.3),
                                          np.zeros(24000, dtype=np.float32)]), 48000)
    page.goto(device.stack.http_url + "/audio/")
    expect(page.get_by_role("heading", name="Audio", exact=True)).to_be_visible()
    expect(page.locator("[data-levels-state]")).to_have_text("Live")

    broken = tmp_path / "broken.mp3"
    broken.write_bytes(encode(sine(440, 1.0, 44100), 44100, "mp3")[:3000])
    page.get_by_label("Add clip").set_input_files(broken)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#clip-message")).to_contain_text("The clip was not added: the file")
    page.screenshot(path=ARTIFACTS / "1-refused.png", full_page=True)

    chime = tmp_path / "chime.wav"
    chime.write_bytes(encode(sine(660, 2.0, 44100), 44100, "wav"))
    page.get_by_label("Add clip").set_input_files(chime)
    page.get_by_label("Name (optional)").fill("Chime")
    page.get_by_role("button", name="Add", exact=True).click()
    row = page.locator("tr", has_text="Chime")
    expect(row).to_be_visible()
    expect(row).to_contain_text("2.0 s")

    # The microphone hears its scene: its meter moves while nothing plays.
    page.wait_for_function("() => document.getElementById('input-level').value > 20")
    assert meter(page, "Speaker level") == 0

    device.start_listening()
    row.get_by_role("button", name="Play Chime").click()
    expect(page.locator("#clip-message")).to_have_text("Playing Chime.")
    page.wait_for_function("() => document.getElementById('output-level').value > 50")
    page.screenshot(path=ARTIFACTS / "2-playing.png", full_page=True)
    page.wait_for_function("() => document.getElementById('output-level').value == 0",
                           timeout=15000)

    heard = device.heard()
    [burst] = bursts(heard)
    assert burst.seconds == pytest.approx(2.0, abs=0.03)
    assert dominant_frequency(heard[burst.start : burst.end]) == pytest.approx(660, rel=0.003)

    row.get_by_label("More for Chime").click()
    row.get_by_role("button", name="Create link").click()
    page.get_by_label("Volume (%)").fill("40")
    page.get_by_label("Repeat (0 plays once)").fill("2")
    link = page.get_by_role("textbox", name="Link").input_value()
    assert link.endswith("/axis-cgi/playclip.cgi?clip=" + row.get_attribute("data-clip")
                         + "&volume=40&repeat=2")
    page.screenshot(path=ARTIFACTS / "3-link.png", full_page=True)
