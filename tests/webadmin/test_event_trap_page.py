"""The Rules page's "Send SNMP trap": the form keeps the message, the list names
the action, and when the trap cannot go (this stack runs no herald-snmp) the
rule's error says why; a management system makes the same rule from the
action template com.axis.action.fixed.snmptrap."""

from __future__ import annotations

import re

import pytest

from herald.events import contract
from tests.audio.event_forms import rule_form
from tests.webadmin.event_actions import (
    ACTION1,
    PAGE,
    add_configuration,
    add_rule,
    call,
    envelope,
    event,
    found,
    items,
)
from tests.webadmin.event_soap import fault, services
from tests.webadmin.stack import form_token

SNMP_TRAP = "com.axis.action.fixed.snmptrap"


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


@pytest.mark.usefixtures("kept")
def test_a_management_system_sets_up_a_trap_rule_from_its_template(herald):
    templates = call(herald, envelope("<act:GetActionTemplates/>"))
    trap = next(t for t in templates.iter(f"{{{ACTION1}}}ActionTemplate")
                if found(t, "TemplateToken") == SNMP_TRAP)
    assert [p.get("Name") for p in trap.iter(f"{{{ACTION1}}}Parameter")] == ["message"]
    configuration = found(call(herald, add_configuration("Trap", SNMP_TRAP,
                                                         message="{rule} at {time}")),
                          "ConfigurationID")
    call(herald, add_rule("Tell the manager", configuration, start=event(
        "StartEvent", contract.MANUAL_TRIGGER.topic, items(port=1, state=1))))
    [rule] = herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]
    assert (rule["action"]["kind"], rule["action"]["message"]) == (
        contract.SNMP_TRAP, "{rule} at {time}")

    too_long = fault(services(herald, "admin", add_configuration("Long", SNMP_TRAP,
                                                                 message="x" * 256)))
    assert too_long[0] == "env:Sender" and "at most 255 bytes" in too_long[2], too_long
    unknown = fault(services(herald, "admin", add_configuration("Odd", SNMP_TRAP,
                                                               severity="high")))
    assert "it takes message" in unknown[2], unknown
