"""System > Plain config: every group, checked changes, nothing half-saved."""

from __future__ import annotations

import re

from tests.webadmin.stack import post_form


def value_of(client, name: str) -> str:
    text = client.get("/axis-cgi/param.cgi", params={"action": "list", "group": name}).text
    return text.strip().split("=", 1)[1]


def test_a_refused_value_saves_nothing_and_says_why(herald):
    with herald.browser(herald.accounts["admin"]) as browser, \
            herald.vapix(herald.accounts["admin"]) as api:
        page = browser.get("/system/plain-config/SIP/").text
        fields = dict(re.findall(r'name="(SIP\.[\w.]+)" type="(?:text|number)"[^>]*value="([^"]*)"',
                                 page))
        assert fields["SIP.Port"] == "5060"
        reply = post_form(browser, "/system/plain-config/SIP/",
                          {**fields, "SIP.CallTimeout": "120", "SIP.Port": "80"})
        assert reply.status_code == 200
        assert "Nothing was saved: SIP.Port must be between 1024 and 65535." in reply.text
        assert value_of(api, "SIP.CallTimeout") == "90"
        longer = {**fields, "SIP.CallTimeout": "120"}
        assert post_form(browser, "/system/plain-config/SIP/", longer).status_code == 302
        try:
            assert "Saved: SIP.CallTimeout." in browser.get("/system/plain-config/SIP/").text
            assert value_of(api, "SIP.CallTimeout") == "120"
        finally:
            post_form(browser, "/system/plain-config/SIP/", {**fields, "SIP.CallTimeout": "90"})


def test_facts_are_shown_not_editable_and_secrets_never_shown(herald):
    with herald.browser(herald.accounts["admin"]) as browser, \
            herald.vapix(herald.accounts["admin"]) as api:
        properties = browser.get("/system/plain-config/properties/").text
        assert "Properties.System.SerialNumber" in properties
        assert 'name="Properties.' not in properties, "read-only facts have no input"
        reply = post_form(browser, "/system/plain-config/SNMP/",
                          {"SNMP.InitialUserPasswd": "Plain-secret-9"})
        assert reply.status_code == 302
        try:
            page = browser.get("/system/plain-config/SNMP/").text
            assert "Plain-secret-9" not in page
            assert 'name="SNMP.InitialUserPasswd" type="password"' in page
            assert value_of(api, "SNMP.InitialUserPasswd") == ""
        finally:
            api.post("/axis-cgi/param.cgi", data={"action": "update",
                                                  "SNMP.InitialUserPasswd": ""})
        assert browser.get("/system/plain-config/NoSuchGroup/").status_code == 404
