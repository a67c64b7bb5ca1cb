"""System > MQTT on the whole stack: the page stores the settings, herald-mqtt
follows them, and the page shows what came of them; admins only."""

from __future__ import annotations

import pytest

from herald.events import contract as events
from tests.conftest import wait_until
from tests.mqtt.broker import HOST, PASSWORD, USER
from tests.mqtt.device import mqtt_values
from tests.webadmin.stack import HeraldStack, post_form

PAGE = "/system/mqtt/"


def test_the_page_connects_the_client_and_shows_its_status(herald: HeraldStack, broker,
                                                           beside_stack) -> None:
    with herald.browser(herald.accounts["admin"]) as browser:
        wait_until(lambda: "Off: turn on Connect" in browser.get(PAGE).text,
                   what="the page to show the client off")
        settings = {"MQTT.Client.Enabled": "yes", "MQTT.Client.Host": HOST,
                    "MQTT.Client.Port": str(broker.plain_port), "MQTT.Client.Username": USER,
                    "MQTT.Client.Password": "a-wrong-Pa55word"}
        assert post_form(browser, PAGE, settings).status_code == 302
        page = wait_until(lambda: "refused" in (t := browser.get(PAGE).text) and t,
                          what="the page to show the broker's refusal")
        assert "username and password" in page and "a-wrong-Pa55word" not in page

        post_form(browser, PAGE, {**settings, "MQTT.Client.Password": PASSWORD})
        page = wait_until(lambda: "Connected to" in (t := browser.get(PAGE).text) and t,
                          what="the page to show the client connected")
        assert f"tcp://{HOST}:{broker.plain_port}" in page and PASSWORD not in page
        assert f'<a href="{PAGE}">MQTT</a>' in page  # in System's menu

        before = mqtt_values(beside_stack)
        post_form(browser, PAGE, {"MQTT.Client.Port": "70000", "MQTT.Client.Host": "elsewhere"})
        assert "Nothing was saved" in browser.get(PAGE).text
        assert mqtt_values(beside_stack) == before


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_only_admins_see_or_change_it(herald: HeraldStack, beside_stack, role: str) -> None:
    before = mqtt_values(beside_stack)
    with herald.browser(herald.accounts[role]) as browser:
        assert browser.get(PAGE).status_code == 403
        refused = browser.post(PAGE, data={"MQTT.Client.Enabled": "yes"})
        assert refused.status_code == 403
    with herald.browser() as anonymous:
        assert anonymous.get(PAGE).status_code == 302  # to the login page
    assert mqtt_values(beside_stack) == before


@pytest.mark.usefixtures("kept")
def test_subscriptions_are_added_and_removed_on_the_page(herald: HeraldStack, broker, subscribe,
                                                         beside_stack) -> None:
    bus = herald.bus()
    added = bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Window", "trigger": {"topic": events.MQTT_MESSAGE.topic,
                                      "source": "home/window", "value": "open"},
        "action": {"kind": events.STOP_CLIP}})
    assert added["ok"], added
    other = subscribe("home/#")
    other.send("home/window", "open", retain=True)
    with herald.browser(herald.accounts["admin"]) as browser:
        post_form(browser, PAGE, {"MQTT.Client.Enabled": "yes", "MQTT.Client.Host": HOST,
                                  "MQTT.Client.Port": str(broker.plain_port),
                                  "MQTT.Client.Username": USER, "MQTT.Client.Password": PASSWORD})
        before = mqtt_values(beside_stack)
        post_form(browser, PAGE, {"action": "add", "Filter": "home/#/window",
                                  "UseDevicePrefix": "no", "Type": "stateless", "QoS": "1"})
        page = browser.get(PAGE).text
        assert "Nothing was saved" in page and "# may only be the last level" in page
        assert mqtt_values(beside_stack) == before

        post_form(browser, PAGE, {"action": "add", "Filter": "home/+", "UseDevicePrefix": "no",
                                  "Type": "stateless", "QoS": "1"})
        page = browser.get(PAGE).text
        assert "Added subscription S0" in page and "<td>home/+</td>" in page
        # herald-mqtt subscribes; the broker's kept message starts the rule.
        [rule] = wait_until(lambda: [r for r in bus.call(events.SERVICE, events.LIST_RULES)[
            "rules"] if r["last_run"] is not None], what="the subscribed message to run the rule")
        assert rule["error"] == ""

        post_form(browser, PAGE, {"action": "remove", "subscription": "S0"})
        page = browser.get(PAGE).text
        assert "Removed subscription S0" in page and "No subscription." in page
