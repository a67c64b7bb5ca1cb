"""System > Network's discovery protocols on the whole stack: the page shows
what herald-system's discovery answers, switches it, and refuses a bad value
with nothing saved. Only administrators reach it."""

from __future__ import annotations

import html
import re

from herald.discovery import contract
from tests.conftest import wait_until
from tests.webadmin.stack import HeraldStack, post_form

PAGE = "/system/network/discovery/"


def shown(text: str, protocol: str) -> str:
    found = re.search(rf"<li>{protocol}: (on|off)</li>", text)
    return found.group(1) if found else ""


def page_when(browser, upnp: str) -> str:
    """The page once it shows UPnP `upnp` (discovery follows a change within moments)."""
    def showing() -> str:
        text = browser.get(PAGE).text
        return text if shown(text, "UPnP") == upnp else ""
    return wait_until(showing, what=f"the page to show UPnP {upnp}")


def test_the_page_switches_discovery_and_shows_it(herald: HeraldStack) -> None:
    with herald.browser(herald.accounts["admin"]) as browser:
        try:
            page = page_when(browser, "on")
            assert "Network discovery protocols" in page
            assert shown(page, "WS-Discovery") == "on"
            saved = post_form(browser, PAGE, {contract.UPNP_ENABLED: "no",
                                              contract.WSD_ENABLED: "no",
                                              contract.UPNP_NAME: "Reception"})
            assert saved.status_code == 302
            page = page_when(browser, "off")
            assert shown(page, "WS-Discovery") == "off"
            assert shown(page, "Bonjour") == "on"
            assert 'value="Reception"' in page

            refused = post_form(browser, PAGE, {contract.UPNP_ENABLED: "maybe",
                                                contract.UPNP_NAME: "Elsewhere"})
            page = browser.get(refused.headers["location"]).text
            assert "Nothing was saved" in html.unescape(page)
            assert 'value="Reception"' in page and shown(page, "UPnP") == "off"
        finally:
            post_form(browser, PAGE, {contract.UPNP_ENABLED: "yes", contract.WSD_ENABLED: "yes"})


def test_only_administrators_reach_the_page(herald: HeraldStack) -> None:
    for role in ("viewer", "operator"):
        with herald.browser(herald.accounts[role]) as browser:
            assert browser.get(PAGE).status_code == 403
