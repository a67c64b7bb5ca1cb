"""SIP on the Status page, on the whole stack: herald-sip beside the web
admin (in the test's namespace, on the stack's Redis and database) and a
phone calling it; administrators see the user agent, its account and the
call as it goes; others see no SIP section."""

from __future__ import annotations

import pytest

from herald.sip import contract
from tests.conftest import wait_until
from tests.sip.conftest import SIP_PORT
from tests.sip.netns import ADDRESS
from tests.webadmin.stack import HeraldStack

PAGE = "/status/"


def test_admins_see_sip_and_the_call_as_it_goes(herald: HeraldStack, beside_stack, peer) -> None:
    with herald.browser(herald.accounts["admin"]) as browser:
        page = wait_until(lambda: "sip-running" in (t := browser.get(PAGE).text)
                          and f"On</span>, port {SIP_PORT}" in t and t,
                          what="the Status page to show SIP on")
        assert "Account peer-to-peer" in page and "peer-to-peer</span>" in page
        assert 'data-fact="sip-call">Idle' in page

        peer.command("dial", f"sip:herald@{ADDRESS}:{SIP_PORT}")
        wait_until(lambda: f'data-fact="sip-call">Ringing from {peer.uri}'
                   in browser.get(PAGE).text, what="the Status page to show the call ringing")
        herald.bus().call(contract.SERVICE, contract.ANSWER)
        wait_until(lambda: f'data-fact="sip-call">Active from {peer.uri}'
                   in browser.get(PAGE).text, what="the Status page to show the call active")
        peer.command("hangup")
        wait_until(lambda: 'data-fact="sip-call">Idle' in browser.get(PAGE).text,
                   what="the Status page to show the line idle again")


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_others_see_no_sip_section(herald: HeraldStack, beside_stack, role: str) -> None:
    wait_until(lambda: (herald.bus().state().get(contract.STATUS) or {}).get("running"),
               what="herald-sip to run")
    with herald.browser(herald.accounts[role]) as browser:
        page = browser.get(PAGE)
        assert page.status_code == 200
        assert "sip-running" not in page.text and "<h2>SIP</h2>" not in page.text
