"""System > Events as an administrator uses it: a rule added on the page plays
its clip out of the sound card when the page's manual trigger is pressed;
the page shows the rule's last run; bad input is shown, not stored; only
administrators get the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from herald.audio import contract as audio
from herald.events import contract as events
from tests.audio.conftest import Events
from tests.audio.event_forms import rule_form
from tests.audio.signals import bursts, dominant_frequency, encode, sine
from tests.audio.webstack import AudioDevice, upload, uploaded_id
from tests.conftest import wait_until
from tests.firmware.recipient_servers import tcp_listener
from tests.webadmin.stack import form_token

RULES = "/system/events/"
RECIPIENTS = RULES + "recipients/"




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


def test_a_schedule_added_on_the_page_runs_a_rule_while_it_is_active(
        device: AudioDevice) -> None:
    clip = uploaded_id(upload(device, encode(sine(600, 1.0, 16000), 16000, "wav"), "hum.wav",
                              name="Hum"))
    start = datetime.now(UTC) + timedelta(seconds=4)  # the device's time zone is UTC
    end = start + timedelta(seconds=3)
    log = Events(device.stack.redis_url)
    try:
        with device.stack.browser(device.stack.accounts["admin"]) as admin:
            token = form_token(admin, RULES)
            added = admin.post(RULES + "schedules/", data={
                "csrfmiddlewaretoken": token, "name": "Soon", "kind": "schedule",
                "days": [start.strftime("%a")[:2].upper()], "start": f"{start:%H:%M:%S}",
                "end": f"{end:%H:%M:%S}", "every": "", "unit": "SECONDLY"})
            assert added.status_code == 302
            page = admin.get(RULES).text
            assert "The schedule Soon is added." in page
            schedule = re.search(r'<tr data-schedule="(\d+)">\s*<td>Soon</td>', page).group(1)
            admin.post(RULES + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
                clip, name="Hum soon", trigger=events.SCHEDULE.topic, trigger_schedule=schedule,
                mode="while_active")})
            assert "Schedule Soon" in admin.get(RULES).text
            began = log.wait(audio.started("clip"), timeout=30, clip=clip)
            ended = log.wait(audio.stopped("clip"), timeout=30, clip=clip)
            assert began.data["at"] >= start.timestamp() - 1  # the page keeps whole seconds
            assert ended.data["reason"] == "rule ended"
            row = re.search(r'<tr data-rule="(\d+)">', admin.get(RULES).text).group(1)
            admin.post(RULES + f"rules/{row}/delete/", data={"csrfmiddlewaretoken": token})
            admin.post(RULES + f"schedules/{schedule}/delete/",
                       data={"csrfmiddlewaretoken": token})
            assert "Soon" not in admin.get(RULES).text
    finally:
        log.close()


def test_a_recipient_added_and_tested_on_the_page_is_told_when_a_rule_runs(
        device: AudioDevice) -> None:
    with tcp_listener() as desk, device.stack.browser(device.stack.accounts["admin"]) as admin:
        token = form_token(admin, RULES)
        fields = {"csrfmiddlewaretoken": token, "type": "tcp", "name": "Front desk",
                  "host": "127.0.0.1", "port": str(desk.port), "method": "GET",
                  "encryption": "tls"}
        tested = admin.post(RECIPIENTS, data={**fields, "test": "1"})
        assert "The test notification reached Front desk." in tested.text
        wait_until(lambda: desk.received, what="the test notification")
        assert admin.post(RECIPIENTS, data=fields).status_code == 302
        page = admin.get(RULES).text
        recipient = re.search(r'<tr data-recipient="(\d+)">', page).group(1)
        admin.post(RULES + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            0, name="Tell the desk", action="notify", recipient=recipient, subject="Bell",
            message="{rule} rang")})
        assert "Send notification to Front desk" in admin.get(RULES).text
        admin.post(RULES + "manual-trigger/", data={"csrfmiddlewaretoken": token,
                                                    "active": "on"})
        wait_until(lambda: len(desk.received) == 2, what="the rule's notification")
        assert desk.received[1] == b"Tell the desk rang"
        admin.post(RULES + "manual-trigger/", data={"csrfmiddlewaretoken": token,
                                                    "active": "off"})
        in_use = admin.post(RECIPIENTS + f"{recipient}/delete/",
                            data={"csrfmiddlewaretoken": token}, follow_redirects=True)
        assert "the rule &#x27;Tell the desk&#x27; uses this recipient" in in_use.text
        rule = re.search(r'<tr data-rule="(\d+)">', admin.get(RULES).text).group(1)
        admin.post(RULES + f"rules/{rule}/delete/", data={"csrfmiddlewaretoken": token})
        admin.post(RECIPIENTS + f"{recipient}/delete/", data={"csrfmiddlewaretoken": token})
        assert "No recipients." in admin.get(RULES).text


def kept_rules(device: AudioDevice) -> list[dict]:
    return device.stack.bus().call(events.SERVICE, events.LIST_RULES)["rules"]


def test_a_rule_edited_on_the_page_keeps_its_id_and_last_run(device: AudioDevice) -> None:
    bell = uploaded_id(upload(device, encode(sine(700, 0.4, 16000), 16000, "wav"), "bell.wav",
                              name="Bell"))
    gong = uploaded_id(upload(device, encode(sine(500, 0.4, 16000), 16000, "wav"), "gong.wav",
                              name="Gong"))
    with device.stack.browser(device.stack.accounts["admin"]) as admin:
        token = form_token(admin, RULES)
        admin.post(RULES + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(bell)})
        trigger = {"csrfmiddlewaretoken": token, "active": "on"}
        admin.post(RULES + "manual-trigger/", data=trigger)
        [ran] = wait_until(lambda: [r for r in kept_rules(device) if r["last_run"]],
                           what="the rule to run")
        admin.post(RULES + "manual-trigger/", data={**trigger, "active": "off"})
        device.wait_idle()

        page = admin.get(RULES + f"rules/{ran['id']}/")
        assert page.status_code == 200 and "Edit rule Doorbell" in page.text
        assert re.search(r'name="name"[^>]*value="Doorbell"', page.text)
        assert re.search(rf'<option value="{bell}" selected>Bell</option>', page.text)

        bad = admin.post(RULES + f"rules/{ran['id']}/", data={
            "csrfmiddlewaretoken": token, **rule_form(gong, name="", volume="250")})
        assert bad.status_code == 200 and bad.text.count('class="error"') >= 2
        assert f'data-editing="{ran["id"]}"' in bad.text  # still the rule's form
        assert kept_rules(device) == [ran]
        refused = admin.post(RULES + f"rules/{ran['id']}/", data={
            "csrfmiddlewaretoken": token, **rule_form(gong, trigger=events.PULSE.topic,
                                                       mode="while_active")})
        assert "only with a trigger that has a state" in refused.text
        assert kept_rules(device) == [ran]

        changed = admin.post(RULES + f"rules/{ran['id']}/", data={
            "csrfmiddlewaretoken": token, **rule_form(gong, name="Door gong", volume="60")})
        assert changed.status_code == 302
        assert "The rule Door gong is changed." in admin.get(RULES).text
        [now] = kept_rules(device)
        assert (now["id"], now["last_run"], now["name"]) == (ran["id"], ran["last_run"],
                                                             "Door gong")
        assert (now["action"]["clip"], now["action"]["volume"]) == (gong, 60)
        device.start_listening()
        admin.post(RULES + "manual-trigger/", data=trigger)
        heard = device.heard()
        admin.post(RULES + "manual-trigger/", data={**trigger, "active": "off"})
        [burst] = bursts(heard, threshold=0.01)
        assert dominant_frequency(heard[burst.start:burst.end]) == pytest.approx(500, rel=0.01)
        admin.post(RULES + f"rules/{ran['id']}/delete/", data={"csrfmiddlewaretoken": token})
        missing = admin.get(RULES + f"rules/{ran['id']}/", follow_redirects=True)
        assert f"There is no rule {ran['id']}." in missing.text


@pytest.mark.parametrize(("level", "value", "words"), [
    ("above", True, "Sound level rises above the set value"),
    ("below", False, "Sound level falls below the set value"),
    ("passes", None, "Sound level passes the set value"),
])
def test_the_sound_level_trigger_rises_above_falls_below_or_passes_the_set_value(
        device: AudioDevice, level: str, value: bool | None, words: str) -> None:
    """The manual's Detectors > Audio detection: an action "if the sound level
    rises above, falls below or passes the set value"."""
    with device.stack.browser(device.stack.accounts["admin"]) as admin:
        token = form_token(admin, RULES)
        added = admin.post(RULES + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Loud", trigger=events.SOUND_LEVEL.topic, sound_level=level,
            action="stop_clip")})
        assert added.status_code == 302
        [rule] = kept_rules(device)
        assert rule["trigger"]["value"] is value
        row = re.search(r'<tr data-rule="\d+">(.*?)</tr>', admin.get(RULES).text, re.S).group(1)
        assert words in row
        form = admin.get(RULES + f"rules/{rule['id']}/").text
        assert f'<option value="{level}" selected>' in form
        admin.post(RULES + f"rules/{rule['id']}/delete/", data={"csrfmiddlewaretoken": token})


def test_a_bad_rule_is_shown_with_its_errors_and_not_kept(device: AudioDevice) -> None:
    with device.stack.browser(device.stack.accounts["admin"]) as admin:
        token = form_token(admin, RULES)
        reply = admin.post(RULES + "rules/", data={
            "csrfmiddlewaretoken": token, **rule_form(0, name="", volume="250",
                                                        trigger="tns1:Made/Up")})
        assert reply.status_code == 200
        assert reply.text.count('class="error"') >= 3  # name, volume, trigger
        assert "No rules." in reply.text
        bad = admin.post(RULES + "schedules/", data={
            "csrfmiddlewaretoken": token, "name": "Half", "kind": "schedule", "days": [],
            "start": "25:00", "end": ""})
        assert bad.status_code == 200 and bad.text.count('class="error"') >= 3
        assert "Half" not in admin.get(RULES).text


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_administrators_get_the_events_page(device: AudioDevice, role: str) -> None:
    with device.stack.browser(device.stack.accounts[role]) as visitor:
        assert visitor.get(RULES).status_code == 403
