"""The Rules page's SIP actions on the whole stack: a rule made on the page
makes a SIP call (to a real phone, through herald-sip beside the stack), or
answers one; the list says what each does; a bad address is refused."""

from __future__ import annotations

import re

import pytest

from herald.events import contract
from tests.audio.event_forms import rule_form
from tests.sip.conftest import SIP_PORT
from tests.sip.netns import ADDRESS
from tests.webadmin.event_actions import PAGE
from tests.webadmin.stack import HeraldStack, form_token


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-rule="\d+">(.*?)</tr>', page, re.S)


@pytest.mark.usefixtures("kept")
def test_a_rule_made_on_the_page_calls_the_phone(herald: HeraldStack, beside_stack,
                                                 peer) -> None:
    with herald.browser(herald.accounts["admin"]) as admin:
        token = form_token(admin, PAGE)
        added = admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Call the desk", action=contract.SIP_CALL_ACTION, sip_address=peer.uri)})
        assert added.status_code == 302
        admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Pick up", action=contract.SIP_ANSWER)})
        listed = admin.get(PAGE).text
        assert any(f"Make a SIP call to {peer.uri}" in row for row in rows(listed))
        assert any("Answer call" in row for row in rows(listed))

        admin.post(PAGE + "manual-trigger/", data={"csrfmiddlewaretoken": token,
                                                   "active": "on"})
        assert peer.wait_event("CALL_INCOMING")["peeruri"].startswith("sip:herald@")
        peer.command("hangup")
        peer.wait_event("CALL_CLOSED")

        admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Bad call", action=contract.SIP_CALL_ACTION, sip_address="tel:123")})
        page = admin.get(PAGE).text
        assert "address: &#x27;tel:123&#x27; is not a SIP address" in page
        assert not any("Bad call" in row for row in rows(page))


@pytest.mark.usefixtures("kept")
def test_a_rule_on_a_ringing_call_made_on_the_page_answers_it(herald: HeraldStack, beside_stack,
                                                              peer) -> None:
    """The manual's pre-announcement, its second rule: Call state Ringing, Answer call
    (herald-sip beside the stack does not answer by itself)."""
    with herald.browser(herald.accounts["admin"]) as admin:
        token = form_token(admin, PAGE)
        assert admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Pick up", trigger=contract.SIP_CALL.topic, call_state="ringing",
            action=contract.SIP_ANSWER)}).status_code == 302
        admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Keys", trigger=contract.DTMF.topic, trigger_instance="stop audio",
            trigger_text="12#", action=contract.STOP_CLIP)})
        listed = rows(admin.get(PAGE).text)
        assert any("Call state: Ringing" in row and "Answer call" in row for row in listed)
        assert any("DTMF on stop audio: 12#" in row for row in listed)
        peer.command("dial", f"sip:herald@{ADDRESS}:{SIP_PORT}")
        peer.wait_event("CALL_ESTABLISHED")
