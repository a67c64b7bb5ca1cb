"""The speaker test in the event services, on the whole device: GetEventInstances
lists "Speaker test result" as AXIS devices do, the action service offers
"Run automatic speaker test" (AXIS's performtest template), a SOAP rule can
start on a failed result, and a speaker test the device refuses (this one was
never calibrated) is the rule's error on the Rules page."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from herald.audio import contract as audio
from herald.events import contract
from tests.audio.event_forms import rule_form
from tests.webadmin.event_actions import (
    ACTION1,
    EVENT1,
    PAGE,
    WSNT,
    add_configuration,
    add_rule,
    call,
    envelope,
    event,
    found,
    items,
)
from tests.webadmin.event_soap import GET_EVENT_INSTANCES
from tests.webadmin.stack import form_token

PERFORM_TEST = "com.axis.action.fixed.autospeakertest.performtest"
RESULT = "tns1:Device/tnsaxis:SpeakerTest/TestResult"


def test_the_speaker_test_result_is_an_event_instance(herald):
    instances = call(herald, GET_EVENT_INSTANCES, role="viewer")
    node = instances.find(".//TestResult")
    assert node is not None, ET.tostring(instances)[:400]
    assert node.get("{http://docs.oasis-open.org/wsn/t-1}topic") == "true"
    assert node.get(f"{{{EVENT1}}}NiceName") == "Speaker test result"
    message = node.find(f"{{{EVENT1}}}MessageInstance")
    assert message.get(f"{{{EVENT1}}}isProperty") is None  # it happens, holds no state
    [data] = message.iter(f"{{{EVENT1}}}SimpleItemInstance")
    assert data.get("Name") == "SpeakerTestStatus"
    assert [v.text for v in data] == ["OK", "Failed"]


@pytest.mark.usefixtures("kept")
def test_a_soap_rule_runs_the_speaker_test_and_its_refusal_is_on_the_rules_page(herald):
    state = audio.SpeakerTestState.from_dict(herald.bus().state()[audio.SPEAKER_TEST])
    assert not state.calibrated  # nothing calibrates this device's speaker

    templates = call(herald, envelope("<act:GetActionTemplates/>"))
    assert PERFORM_TEST in {found(t, "TemplateToken")
                            for t in templates.iter(f"{{{ACTION1}}}ActionTemplate")}
    perform = found(call(herald, add_configuration("Speaker test", PERFORM_TEST)),
                    "ConfigurationID")
    stop = found(call(herald, add_configuration("Silence", "com.axis.action.fixed.stop.audioclip")),
                 "ConfigurationID")
    call(herald, add_rule("Test the speaker", perform, start=event(
        "StartEvent", contract.MANUAL_TRIGGER.topic, items(port=1, state=1))))
    call(herald, add_rule("When it fails", stop, start=event(
        "StartEvent", RESULT, items(SpeakerTestStatus="Failed"))))
    listed = {found(r, "Name"): r for r in call(herald, envelope("<act:GetActionRules/>")).iter(
        f"{{{ACTION1}}}ActionRule")}
    start = listed["When it fails"].find(f"{{{ACTION1}}}StartEvent")
    assert start.findtext(f"{{{WSNT}}}TopicExpression") == RESULT
    assert start.findtext(f"{{{WSNT}}}MessageContent") == items(SpeakerTestStatus="Failed")

    with herald.browser(herald.accounts["admin"]) as admin:
        token = form_token(admin, PAGE)
        pressed = admin.post(PAGE + "manual-trigger/", data={"csrfmiddlewaretoken": token,
                                                             "active": "on"})
        assert pressed.status_code == 302
        page = admin.get(PAGE).text
    rows = dict((name, row) for row in re.findall(r'<tr data-rule="\d+">(.*?)</tr>', page, re.S)
                for name in ("Test the speaker", "When it fails") if name in row)
    assert "Run automatic speaker test" in rows["Test the speaker"]
    assert re.search(r"data-rule-error>the speaker is not calibrated: calibrate it first<",
                     rows["Test the speaker"]), rows["Test the speaker"]
    assert "Speaker test result: Didn&#x27;t pass the test" in rows["When it fails"]
    assert "data-rule-error" not in rows["When it fails"]


@pytest.mark.usefixtures("kept")
def test_the_rule_form_offers_the_speaker_test_result_and_the_speaker_test(herald):
    with herald.browser(herald.accounts["admin"]) as admin:
        token = form_token(admin, PAGE)
        added = admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Passed, test again", trigger=RESULT, speaker_test_status="OK",
            action=contract.SPEAKER_TEST_ACTION)})
        assert added.status_code == 302
        [rule] = herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]
        assert rule["trigger"] == {"topic": RESULT, "source": None, "value": "OK",
                                   "invert": False}
        assert rule["action"]["kind"] == contract.SPEAKER_TEST_ACTION
        form = admin.get(PAGE + f"rules/{rule['id']}/").text
        assert '<option value="OK" selected>' in form
        inverted = admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Not failed", trigger=RESULT, trigger_invert="on",
            action=contract.SPEAKER_TEST_ACTION)})
        assert inverted.status_code == 302  # back to the page, which says why
        assert "cannot be inverted" in admin.get(PAGE).text
    assert len(herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]) == 1
