"""The Rules page's "Light profile" action on the shared device: the form keeps
the profile's name and the duration, the list names them, and the manual
trigger shows the profile with its priority in the light status until it is
turned off."""

from __future__ import annotations

import re

import pytest

from herald.events import contract
from herald.light import contract as light
from herald.light.contract import LightStatus
from tests.audio.event_forms import rule_form
from tests.conftest import wait_until
from tests.webadmin.event_actions import PAGE
from tests.webadmin.stack import form_token

BEACON = {"name": "Beacon", "pattern": "pulse", "colour": "amber", "priority": 6}


def activities(herald) -> tuple:
    raw = herald.bus().state().get(light.STATUS)
    return LightStatus.from_dict(raw).activities if raw else ()


@pytest.mark.usefixtures("kept")
def test_a_light_rule_made_on_the_page_shows_its_profile_while_active(herald):
    ask = herald.bus().call
    assert ask(light.SERVICE, light.SAVE, profile=BEACON)["ok"]
    try:
        with herald.browser(herald.accounts["admin"]) as admin:
            token = form_token(admin, PAGE)
            added = admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
                "", name="Beacon on", action=contract.LIGHT_PROFILE, light_profile="Beacon",
                mode=contract.WHILE_ACTIVE)})
            assert added.status_code == 302
            row = re.search(r'<tr data-rule="\d+">(.*?)</tr>', admin.get(PAGE).text,
                            re.S).group(1)
            assert "Light profile Beacon, While the rule is active" in row
            admin.post(PAGE + "manual-trigger/", data={"csrfmiddlewaretoken": token,
                                                       "active": "on"})
            [activity] = wait_until(lambda: activities(herald), what="the rule's activity")
            assert (activity.name, activity.priority) == ("Beacon", 6)
            admin.post(PAGE + "manual-trigger/", data={"csrfmiddlewaretoken": token})
            wait_until(lambda: not activities(herald), what="the activity to end with the rule")
    finally:
        ask(light.SERVICE, light.REMOVE, name="Beacon")
