"""System > Events as an administrator uses it: a rule added on the page plays
its clip out of the sound card when the page's manual trigger is pressed;
the page shows the rule's last run; bad input is shown, not stored; only
administrators get the page."""

from __future__ import annotations

import re

import pytest

from herald.events import contract as events
from tests.audio.signals import bursts, dominant_frequency, encode, sine
from tests.audio.test_vapix_audio import upload, uploaded_id
from tests.audio.webstack import AudioDevice
from tests.webadmin.stack import form_token

RULES = "/system/events/"


def rule_form(clip: int, **changes: str) -> dict[str, str]:
    return {"name": "Doorbell", "enabled": "on", "trigger": events.MANUAL_TRIGGER.topic,
            "trigger_port": "1", "condition": "", "condition_port": "1", "wait_seconds": "0",
            "action": "play_clip", "clip": str(clip), "volume": "100", "repeat": "0",
            "mode": "once", **changes}


def test_a_rule_added_on_the_page_plays_when_the_manual_trigger_is_pressed(
        device: AudioDevice) -> None:
    clip = uploaded_id(upload(device, encode(sine(700, 0.4, 16000), 16000, "wav"), "bell.wav",
                              name="Bell"))
    with device.stack.browser(device.stack.accounts["admin"]) as admin:
        token = form_token(admin, RULES)
        added = admin.post(RULES + "rules/", data={"csrfmiddlewaretoken": token,
                                                   **rule_form(clip)})
        assert added.status_code == 302
        page = admin.get(RULES).text
        assert "The rule Doorbell is added." in page
        row = re.search(r'<tr data-rule="(\d+)">(.*?)</tr>', page, re.S)
        assert row and "Manual trigger" in row.group(2) and "Play audio clip Bell" in row.group(2)
        assert "never" in row.group(2)
        device.start_listening()
        pressed = admin.post(RULES + "manual-trigger/", data={
            "csrfmiddlewaretoken": token, "active": "on"})
        assert pressed.status_code == 302
        heard = device.heard()
        [burst] = bursts(heard, threshold=0.01)
        assert dominant_frequency(heard[burst.start:burst.end]) == pytest.approx(700, rel=0.01)
        page = admin.get(RULES).text
        assert "The manual trigger is on." in page
        assert "never" not in re.search(r'<tr data-rule="\d+">(.*?)</tr>', page, re.S).group(1)
        admin.post(RULES + "manual-trigger/", data={"csrfmiddlewaretoken": token,
                                                    "active": "off"})
        admin.post(RULES + f"rules/{row.group(1)}/delete/",
                   data={"csrfmiddlewaretoken": token})
        assert "No rules." in admin.get(RULES).text


def test_a_bad_rule_is_shown_with_its_errors_and_not_kept(device: AudioDevice) -> None:
    with device.stack.browser(device.stack.accounts["admin"]) as admin:
        token = form_token(admin, RULES)
        reply = admin.post(RULES + "rules/", data={
            "csrfmiddlewaretoken": token, **rule_form(0, name="", volume="250",
                                                        trigger="tns1:Made/Up")})
        assert reply.status_code == 200
        assert reply.text.count('class="error"') >= 3  # name, volume, trigger
        assert "No rules." in reply.text


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_administrators_get_the_events_page(device: AudioDevice, role: str) -> None:
    with device.stack.browser(device.stack.accounts[role]) as visitor:
        assert visitor.get(RULES).status_code == 403
