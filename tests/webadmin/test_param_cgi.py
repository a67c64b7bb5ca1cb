"""param.cgi as VAPIX clients use it: list, update, add, remove,
listdefinitions; bad input gets VAPIX's error reply and changes nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from herald.access import Level
from herald.params import ParamStore, default_tree


def listing(client, group: str) -> dict[str, str]:
    reply = client.get("/axis-cgi/param.cgi", params={"action": "list", "group": group})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    return dict(line.split("=", 1) for line in reply.text.splitlines() if "=" in line)


@pytest.fixture
def admin(herald):
    with herald.vapix(herald.accounts["admin"]) as client:
        yield client


def update(client, **values) -> str:
    reply = client.post("/axis-cgi/param.cgi", data={"action": "update", **values})
    assert reply.status_code == 200
    return reply.text


def test_list_gives_the_identity_every_client_needs(herald):
    with herald.vapix(herald.accounts["viewer"]) as client:
        values = listing(client, "root.Brand,root.Properties")
    for key in ("Brand.Brand", "Brand.ProdFullName", "Brand.ProdNbr", "Brand.ProdShortName",
                "Brand.ProdType", "Brand.WebURL", "Properties.API.HTTP.Version",
                "Properties.Firmware.BuildDate", "Properties.Firmware.BuildNumber",
                "Properties.Firmware.Version", "Properties.System.SerialNumber"):
        assert f"root.{key}" in values, key
    assert values["root.Properties.API.HTTP.Version"] == "3"
    assert len(values["root.Properties.System.SerialNumber"]) == 12
    # A date as Axis devices give it ("Dec 04 2026 20:00"), not the version again.
    datetime.strptime(values["root.Properties.Firmware.BuildDate"], "%b %d %Y %H:%M")


def test_list_shows_each_account_only_what_its_level_may_read(herald):
    with herald.vapix(herald.accounts["viewer"]) as client:
        reply = client.get("/axis-cgi/param.cgi", params={"action": "list",
                                                          "group": "Network,Brand.ProdNbr"})
    assert reply.text.splitlines() == [
        "root.Brand.ProdNbr=H1410", "# Error: Error -1 getting param in group 'Network'"]
    with herald.vapix(herald.accounts["admin"]) as client:
        assert "root.Network.HostName" in listing(client, "Network")
        assert "root.Network.Bonjour.Enabled" in listing(client, "Network.*.Enabled")


def test_update_applies_and_bad_values_change_nothing(admin):
    assert update(admin, **{"SIP.Port": "5070", "root.SIP.Enabled": "yes"}) == "OK\n"
    try:
        assert listing(admin, "SIP.Port") == {"root.SIP.Port": "5070"}
        refused = {
            "wrong type": ({"SIP.Port": "five"}, "# Error: Error setting 'SIP.Port' to 'five'!"),
            "out of range": ({"SIP.Port": "80"}, "# Error: Error setting 'SIP.Port' to '80'!"),
            "unknown": ({"SIP.Nope": "1"}, "# Error: Error setting 'SIP.Nope' to '1'!"),
            "oversized": ({"Network.Bonjour.FriendlyName": "x" * 5000},
                          "# Error: Error setting 'Network.Bonjour.FriendlyName' to 'xxxx"),
            "read-only": ({"Brand.ProdNbr": "C1410"},
                          "# Error: Error setting 'Brand.ProdNbr' to 'C1410'!"),
            "one bad of two": ({"SIP.Enabled": "no", "SIP.TLSPort": "0"},
                               "# Error: Error setting 'SIP.TLSPort' to '0'!"),
        }
        before = listing(admin, "SIP,Network,Brand")
        for what, (values, error) in refused.items():
            assert update(admin, **values).startswith(error), what
        assert listing(admin, "SIP,Network,Brand") == before, "a refused update changed nothing"
    finally:
        update(admin, **{"SIP.Port": "5060", "SIP.Enabled": "no"})


def test_the_whole_tree_shows_a_change_made_outside_the_web_at_once(herald, admin):
    """The whole-tree listing is kept between requests (clients poll it); a
    change a firmware service writes to the database shows in the next one."""
    def whole_tree() -> dict[str, str]:
        reply = admin.get("/axis-cgi/param.cgi", params={"action": "list"})
        assert reply.status_code == 200
        return dict(line.split("=", 1) for line in reply.text.splitlines())

    service = ParamStore(herald.data_dir / "db.sqlite3", default_tree())
    assert whole_tree()["root.SIP.Port"] == whole_tree()["root.SIP.Port"] == "5060"
    service.update({"SIP.Port": "5072"}, Level.ROOT)
    try:
        assert whole_tree()["root.SIP.Port"] == "5072"
    finally:
        service.update({"SIP.Port": "5060"}, Level.ROOT)
    assert whole_tree()["root.SIP.Port"] == "5060"


def test_update_needs_an_operator_and_admin_settings_need_an_admin(herald):
    with herald.vapix(herald.accounts["viewer"]) as client:
        reply = client.post("/axis-cgi/param.cgi", data={"action": "update", "SIP.Port": "5070"})
        assert reply.status_code == 403
    with herald.vapix(herald.accounts["operator"]) as client:
        reply = client.post("/axis-cgi/param.cgi",
                            data={"action": "update", "Network.HostName": "taken"})
        assert reply.text.startswith("# Error: Error setting 'Network.HostName' to 'taken'!")
    with herald.vapix(herald.accounts["admin"]) as client:
        assert listing(client, "Network.HostName")["root.Network.HostName"] != "taken"
        assert listing(client, "SIP.Port")["root.SIP.Port"] == "5060"


def test_with_anonymous_viewing_an_update_without_credentials_is_challenged(herald):
    """A client that sends credentials only when challenged (curl --digest, httpx) must
    not be refused as the anonymous viewer it first looks like."""
    with herald.vapix(herald.accounts["admin"]) as admin:
        assert update(admin, **{"System.AnonymousViewing": "yes"}) == "OK\n"
        try:
            with herald.vapix(herald.accounts["admin"]) as fresh:  # no credentials sent yet
                assert update(fresh, **{"SIP.Port": "5070"}) == "OK\n"
                assert update(fresh, **{"SIP.Port": "5060"}) == "OK\n"
            with herald.vapix() as anonymous:
                refused = anonymous.post("/axis-cgi/param.cgi",
                                         data={"action": "update", "SIP.Port": "5070"})
                assert refused.status_code == 401
        finally:
            update(admin, **{"System.AnonymousViewing": "no"})


def test_a_form_body_labelled_text_plain_is_read_like_the_axis_library_sends_it(admin):
    reply = admin.post("/axis-cgi/param.cgi", content=b"action=list&group=root.Brand.ProdNbr",
                       headers={"Content-Type": "text/plain"})
    assert reply.text == "root.Brand.ProdNbr=H1410\n"


def test_add_and_remove_make_and_drop_numbered_groups(admin):
    reply = admin.post("/axis-cgi/param.cgi", data={
        "action": "add", "template": "snmptrap", "group": "SNMP.Trap",
        "SNMP.Trap.T.Address": "192.0.2.7", "SNMP.Trap.T.Community": "traps"})
    assert reply.text == "T0 OK\n"
    try:
        assert listing(admin, "SNMP.Trap.T0")["root.SNMP.Trap.T0.Address"] == "192.0.2.7"
        bad = admin.post("/axis-cgi/param.cgi", data={
            "action": "add", "template": "snmptrap", "group": "SNMP.Trap",
            "SNMP.Trap.T.Address": "not an address!"})
        assert bad.text.startswith("# Request failed:")
        assert "root.SNMP.Trap.T1.Address" not in listing(admin, "SNMP.Trap")
    finally:
        assert admin.get("/axis-cgi/param.cgi", params={
            "action": "remove", "group": "SNMP.Trap.T0"}).text == "OK\n"
    assert "root.SNMP.Trap.T0.Address" not in listing(admin, "SNMP.Trap")
    gone = admin.get("/axis-cgi/param.cgi", params={"action": "remove", "group": "SNMP.Trap.T0"})
    assert gone.text.startswith("# Request failed:")


def test_listdefinitions_describes_types_and_levels(admin):
    reply = admin.get("/axis-cgi/param.cgi", params={
        "action": "listdefinitions", "listformat": "xmlschema", "group": "SIP.Port,Brand.Brand"})
    ns = {"p": "http://www.axis.com/ParameterDefinitionsSchema"}
    root = ET.fromstring(reply.content)
    assert root.find("p:model", ns).text == "H1410"
    port = root.find(".//p:group[@name='SIP']/p:parameter[@name='Port']", ns)
    assert port.get("securityLevel") == "7766"
    assert port.find("p:type/p:int", ns).attrib == {"min": "1024", "max": "65535"}
    brand = root.find(".//p:group[@name='Brand']/p:parameter[@name='Brand']", ns)
    assert brand.find("p:type", ns).get("readonly") == "true"


def test_an_unknown_action_is_an_error(admin):
    assert admin.get("/axis-cgi/param.cgi?action=explode").text.startswith("# Error:")
