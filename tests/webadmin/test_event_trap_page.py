"""The Rules page's "Send SNMP trap": the form keeps the message, the list names
the action, and when the trap cannot go (this stack runs no herald-snmp) the
rule's error says why."""

from __future__ import annotations

import re

import pytest

from herald.events import contract
from tests.audio.event_forms import rule_form
from tests.webadmin.event_actions import PAGE
from tests.webadmin.stack import form_token


@pytest.mark.usefixtures("kept")
def test_a_trap_rule_made_on_the_page_says_why_no_trap_went(herald):
    with herald.browser(herald.accounts["admin"]) as admin:
        token = form_token(admin, PAGE)
        added = admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Tell the manager", action=contract.SNMP_TRAP, message="{rule} ran")})
        assert added.status_code == 302
        [rule] = herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]
        assert rule["action"] == {**rule["action"], "kind": contract.SNMP_TRAP,
                                  "message": "{rule} ran"}
        admin.post(PAGE + "manual-trigger/", data={"csrfmiddlewaretoken": token, "active": "on"})
        row = re.search(r'<tr data-rule="\d+">(.*?)</tr>', admin.get(PAGE).text, re.S).group(1)
    assert "Send SNMP trap" in row
    assert "data-rule-error>herald-snmp does not answer<" in row, row
