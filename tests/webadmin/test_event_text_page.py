"""The Rules page with the triggers whose instance or data is text (an MQTT
message's topic and payload, a network interface) and the "Send MQTT publish
message" action: the form keeps them, the list says them, and the edit form
shows them again."""

from __future__ import annotations

import re

import pytest

from herald.events import contract
from tests.audio.event_forms import rule_form
from tests.webadmin.event_actions import PAGE
from tests.webadmin.stack import form_token


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-rule="\d+">(.*?)</tr>', page, re.S)


@pytest.mark.usefixtures("kept")
def test_an_mqtt_message_rule_that_publishes_made_and_edited_on_the_page(herald):
    with herald.browser(herald.accounts["admin"]) as admin:
        token = form_token(admin, PAGE)
        added = admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Bell to house", trigger=contract.MQTT_MESSAGE.topic,
            trigger_instance="home/bell", trigger_text="ring", action=contract.MQTT_PUBLISH,
            topic="house/speaker", message="{rule} ran", qos="1", retain="on")})
        assert added.status_code == 302
        [rule] = herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]
        assert (rule["trigger"]["source"], rule["trigger"]["value"]) == ("home/bell", "ring")
        action = rule["action"]
        assert (action["kind"], action["topic"], action["message"], action["qos"],
                action["retain"]) == (contract.MQTT_PUBLISH, "house/speaker", "{rule} ran", 1,
                                      True)
        [row] = rows(admin.get(PAGE).text)
        assert "MQTT message on home/bell: ring" in row and "Send MQTT publish message" in row

        edit = admin.get(PAGE + f"rules/{rule['id']}/").text
        assert re.search(r'name="trigger_instance"[^>]*value="home/bell"', edit)
        assert re.search(r'name="trigger_text"[^>]*value="ring"', edit)
        assert re.search(r'name="topic"[^>]*value="house/speaker"', edit)

        admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Bad topic", action=contract.MQTT_PUBLISH, topic="house/#")})
        assert "holds + or #" in admin.get(PAGE).text  # the service's refusal
        assert len(herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]) == 1


@pytest.mark.usefixtures("kept")
def test_a_network_lost_rule_on_any_interface(herald):
    with herald.browser(herald.accounts["admin"]) as admin:
        token = form_token(admin, PAGE)
        admin.post(PAGE + "rules/", data={"csrfmiddlewaretoken": token, **rule_form(
            "", name="Cable", trigger=contract.NETWORK_LOST.topic, action=contract.STOP_CLIP)})
        [rule] = herald.bus().call(contract.SERVICE, contract.LIST_RULES)["rules"]
        assert (rule["trigger"]["source"], rule["trigger"]["value"]) == (None, True)
        [row] = rows(admin.get(PAGE).text)
        assert "Network lost" in row
