"""System > SIP on the whole stack: the page stores the settings and the DTMF
sequences, herald-sip (beside the stack, in the test's namespace) follows
them, its status shows on the page, and a test call from the page rings a
real phone; administrators only."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until
from tests.sip.netns import ADDRESS
from tests.sip.registrar import REGISTRAR_PORT
from tests.webadmin.stack import HeraldStack, post_form

PAGE = "/system/sip/"


def test_the_page_sets_sip_up_and_makes_a_test_call(herald: HeraldStack, beside_stack,
                                                     peer) -> None:
    with herald.browser(herald.accounts["admin"]) as browser:
        wait_until(lambda: "incoming calls allowed" in browser.get(PAGE).text,
                   what="the page to show SIP on")
        assert f'<a href="{PAGE}">SIP</a>' in browser.get(PAGE).text  # in System's menu

        assert post_form(browser, PAGE, {"action": "save", "SIP.AllowIncoming": "no",
                                         "SIP.AudioCodecs": "pcma,pcmu"}).status_code == 302
        assert "Saved: SIP.AllowIncoming, SIP.AudioCodecs." in browser.get(PAGE).text
        wait_until(lambda: "incoming calls refused" in browser.get(PAGE).text,
                   what="the page to show incoming calls refused")
        assert beside_stack.snapshot().get("SIP.AudioCodecs") == "pcma,pcmu"

        post_form(browser, PAGE, {"action": "save", "SIP.Port": "80", "SIP.CallTimeout": "20"})
        page = browser.get(PAGE).text
        assert "Refused, nothing changed: SIP.Port: must be between 1024 and 65535" in page
        assert beside_stack.snapshot().get("SIP.CallTimeout") == "90"

        post_form(browser, PAGE, {"action": "add-sequence", "Sequence": "12#",
                                  "Description": "stop"})
        assert "<td>12#</td><td>stop</td>" in browser.get(PAGE).text
        post_form(browser, PAGE, {"action": "add-sequence", "Sequence": "12E",
                                  "Description": "bad"})
        assert "Sequence: must be 1 to 32 of the keys" in browser.get(PAGE).text
        post_form(browser, PAGE, {"action": "remove-sequence", "group": "D0"})
        assert "No DTMF sequence." in browser.get(PAGE).text

        post_form(browser, PAGE, {"action": "call", "address": "tel:123"})
        assert "is not a SIP address" in browser.get(PAGE).text
        post_form(browser, PAGE, {"action": "call", "address": peer.uri})
        assert peer.wait_event("CALL_INCOMING")
        wait_until(lambda: f'data-fact="sip-call">Calling to {peer.uri}'
                   in browser.get(PAGE).text, what="the page to show the test call")
        post_form(browser, PAGE, {"action": "hangup"})
        peer.wait_event("CALL_CLOSED")
        wait_until(lambda: 'data-fact="sip-call">Idle' in browser.get(PAGE).text,
                   what="the page to show the line idle")


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_only_admins_see_or_use_it(herald: HeraldStack, role: str) -> None:
    with herald.browser(herald.accounts[role]) as browser:
        assert browser.get(PAGE).status_code == 403
        assert browser.post(PAGE, data={"action": "call", "address": "sip:a@b"}).status_code \
            == 403
    with herald.browser() as anonymous:
        assert anonymous.get(PAGE).status_code == 302  # to the login page


def test_an_account_added_on_the_page_registers_and_calls(herald: HeraldStack, beside_stack,
                                                          registrar, peer) -> None:
    account = {"action": "add-account", "Name": "Front desk", "UserID": "1001",
               "Password": "not-the-one", "Registrar": ADDRESS,
               "RegistrarPort": str(REGISTRAR_PORT), "Transport": "udp", "AutoAnswer": "no"}
    with herald.browser(herald.accounts["admin"]) as browser:
        post_form(browser, PAGE, {**account, "Transport": "sctp"})
        assert "Transport: must be one of" in browser.get(PAGE).text
        post_form(browser, PAGE, account)
        page = wait_until(lambda: "403" in (t := browser.get(PAGE).text) and t,
                          what="the page to show the registration refused")
        assert "<td>Front desk</td>" in page and "not-the-one" not in page
        post_form(browser, PAGE, {"action": "remove-account", "group": "A0"})
        post_form(browser, PAGE, {**account, "Password": "s3cret-Pass"})
        wait_until(lambda: '<span class="ok">registered</span>' in browser.get(PAGE).text,
                   what="the page to show the account registered")
        assert '<option value="Front desk">Front desk</option>' in browser.get(PAGE).text
        post_form(browser, PAGE, {"action": "call", "address": peer.uri,
                                  "account": "Front desk"})
        incoming = peer.wait_event("CALL_INCOMING")
        assert incoming["peeruri"] == f"sip:1001@{ADDRESS}:{REGISTRAR_PORT}"
        post_form(browser, PAGE, {"action": "hangup"})
        peer.wait_event("CALL_CLOSED")
