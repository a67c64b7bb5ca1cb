"""System > SNMP on the whole stack: the page stores the settings, herald-snmp
follows them, and the page shows what the agent says of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import wait_until
from tests.daemon import start_daemon
from tests.snmp.netsnmp import TrapReceiver, free_udp_port, values
from tests.webadmin.stack import HeraldStack, post_form

PAGE = "/system/snmp/"
WARM_START = ".1.3.6.1.6.3.1.1.5.2"
SYS_NAME = ".1.3.6.1.2.1.1.5.0"
OFF = {"SNMP.Enabled": "no", "SNMP.V1": "no", "SNMP.V2c": "no", "SNMP.V3": "no",
       "SNMP.Trap.Enabled": "no", "SNMP.V1WriteCommunity": "write"}


@pytest.fixture
def traps(tmp_path: Path) -> Iterator[TrapReceiver]:
    receiver = TrapReceiver(tmp_path / "traps")
    yield receiver
    receiver.close()


@pytest.fixture
def snmp_agent(herald: HeraldStack, traps: TrapReceiver) -> Iterator[int]:
    """herald-snmp beside the stack's web admin, on a free port; its UDP port."""
    port = free_udp_port()
    env = {**herald.env, "HERALD_SNMP_PORT": str(port), "HERALD_SNMP_TRAP_PORT": str(traps.port)}
    process = start_daemon("herald.snmp", env, herald.out_dir / "snmp.log")
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_page_turns_the_agent_on_and_shows_what_it_says(
        herald: HeraldStack, snmp_agent: int, traps: TrapReceiver) -> None:
    with herald.browser(herald.accounts["admin"]) as browser:
        try:
            wait_until(lambda: "The agent is off." in browser.get(PAGE).text,
                       what="the page to show the agent's status")
            same = post_form(browser, PAGE, {**OFF, "action": "save", "SNMP.Enabled": "yes",
                                             "SNMP.V2c": "yes", "SNMP.V1WriteCommunity": "public"})
            assert same.status_code == 302
            wait_until(lambda: "communities are the same" in browser.get(PAGE).text,
                       what="the page to show the agent's refusal")

            saved = post_form(browser, PAGE, {
                "action": "save", "SNMP.Enabled": "yes", "SNMP.V2c": "yes", "SNMP.V3": "yes",
                "SNMP.V1WriteCommunity": "page-write", "SNMP.InitialUserPasswd": "page-v3-pass",
                "SNMP.Trap.Enabled": "yes", "SNMP.System.Location": "Lobby"})
            assert saved.status_code == 302
            page = wait_until(lambda: "answers v2c, v3 on UDP port" in (t := browser.get(PAGE).text)
                              and t, what="the agent to answer v2c and v3")
            assert 'name="SNMP.InitialUserPasswd"' not in page, "the v3 password is set once"
            assert values(snmp_agent, "2c", SYS_NAME)
            assert values(snmp_agent, "3", SYS_NAME, password="page-v3-pass")

            added = post_form(browser, PAGE, {"action": "add", "address": "127.0.0.1",
                                              "community": "traps", "WarmStart": "yes"})
            assert added.status_code == 302
            page = browser.get(PAGE).text
            assert "Added trap receiver T0." in page and "Warm start" in page
            traps.wait_for(WARM_START)  # the receiver is a change of SNMP setting

            bad = post_form(browser, PAGE, {"action": "add", "address": "not a host!"})
            assert bad.status_code == 302 and "Nothing was saved" in browser.get(PAGE).text
            (receiver,) = re.findall(r'name="receiver" value="(T\d+)"', browser.get(PAGE).text)
            post_form(browser, PAGE, {"action": "remove", "receiver": receiver})
            assert "No trap receiver." in browser.get(PAGE).text
        finally:
            for name in re.findall(r'name="receiver" value="(T\d+)"', browser.get(PAGE).text):
                post_form(browser, PAGE, {"action": "remove", "receiver": name})
            post_form(browser, PAGE, {**OFF, "action": "save"})
