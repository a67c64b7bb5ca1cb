"""/vapix/call (AXIS's Call service API) on the whole stack, with herald-sip
beside it in the test's namespace: the SIP configuration set through it is
what System > SIP shows; an account set through it registers with a real
registrar; a Call rings a real phone (baresip), shows in the call statuses
and TerminateCall ends it, in the JSON and the simple (query string) forms;
bad input is refused in the envelope with nothing changed; operators call
and read, administrators also change, viewers and anonymous callers are
refused."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.conftest import wait_until
from tests.sip.netns import ADDRESS
from tests.sip.registrar import REGISTRAR_PORT
from tests.webadmin.stack import HeraldStack

API = "/vapix/call"
INVALID, MISSING, METHOD, JSON = 2104, 2103, 2102, 2101  # the newer APIs' error codes
PAGE = "/system/sip/"


def post(herald: HeraldStack, method: str, role: str | None = "admin",
         **fields: Any) -> httpx.Response:
    account = herald.accounts[role] if role else None
    with herald.vapix(account) as client:
        return client.post(API, json={f"axcall:{method}": fields})


def answer(herald: HeraldStack, method: str, role: str = "admin", **fields: Any) -> dict:
    reply = post(herald, method, role, **fields)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert body["method"] == f"axcall:{method}", body
    return body


def data(herald: HeraldStack, method: str, role: str = "admin", **fields: Any) -> dict:
    body = answer(herald, method, role, **fields)
    assert "error" not in body, body
    return body["data"]


def refusal(herald: HeraldStack, method: str, **fields: Any) -> tuple[int, str]:
    error = answer(herald, method, **fields)["error"]
    return error["code"], error["message"]


def sip_page(herald: HeraldStack) -> str:
    with herald.browser(herald.accounts["admin"]) as browser:
        return browser.get(PAGE).text


def shown(page: str, name: str) -> str:
    """The value the page's input for the parameter `name` holds."""
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert found, f"no input for {name}"
    return found.group(1)


def test_the_configuration_set_through_the_api_is_what_the_page_shows(
        herald: HeraldStack, beside_stack) -> None:
    config = data(herald, "GetSIPConfiguration", "operator")["SIPConfiguration"]
    assert config["SIPEnabled"] is True and config["Port"] == 5060
    assert config["AllowIncomingCalls"] is True and config["CallTimeout"] == 90

    changed = data(herald, "SetSIPConfiguration", SIPConfiguration={
        "AllowIncomingCalls": False, "CallTimeout": 25})["SIPConfiguration"]
    assert (changed["AllowIncomingCalls"], changed["CallTimeout"]) == (False, 25)
    assert data(herald, "GetSIPConfiguration")["SIPConfiguration"] == changed
    assert shown(sip_page(herald), "SIP.CallTimeout") == "25"
    wait_until(lambda: "incoming calls refused" in sip_page(herald),
               what="the page to show incoming calls refused")

    assert data(herald, "SetAudioCodecs", AudioCodecs=["pcma", "opus"]) == {
        "AudioCodecs": ["pcma", "opus"]}
    assert shown(sip_page(herald), "SIP.AudioCodecs") == "pcma,opus"
    assert data(herald, "GetDefaultAudioCodecs")["AudioCodecs"] == ["opus", "g722", "pcmu",
                                                                     "pcma"]
    assert data(herald, "GetSupportedMediaEncryptionModes")["MediaEncryptionModes"] == [
        "off", "optional", "required"]


@pytest.mark.parametrize(("method", "fields", "code", "words"), [
    ("SetSIPConfiguration", {"SIPConfiguration": {"CallTimeout": "25"}}, INVALID,
     "SIPConfiguration.CallTimeout must be an integer"),
    ("SetSIPConfiguration", {"SIPConfiguration": {"CallTimeout": 25, "Port": 80}}, INVALID,
     "SIP.Port: must be between 1024 and 65535"),
    ("SetSIPConfiguration", {"SIPConfiguration": {"CallTimeout": 25, "TLSPort": 5061}}, INVALID,
     "SIPConfiguration.TLSPort is not a SIP setting Herald has"),
    ("SetSIPConfiguration", {}, MISSING, "SIPConfiguration is required"),
    ("SetAudioCodecs", {"AudioCodecs": ["pcma", "amr"]}, INVALID, "not amr"),
    ("SetAudioCodecs", {"AudioCodecs": "pcma"}, INVALID, "AudioCodecs must be a list"),
    ("GetSIPAccount", {"Id": "A7"}, INVALID, "no SIP account with Id 'A7'"),
    ("SetSIPAccount", {"SIPAccount": {"Id": "A7", "Name": "x"}}, INVALID,
     "no SIP account with Id 'A7'"),
    ("SetSIPAccount", {"SIPAccount": {"Name": "Front desk", "UserID": "1001",
                                      "Registrar": ADDRESS, "Transport": "sctp"}}, INVALID,
     "Transport: must be one of"),
    ("SetSIPAccount", {"SIPAccount": {"Name": "Front desk", "Registrar": ADDRESS}}, MISSING,
     "SIPAccount.UserID is required"),
    ("SetSIPAccount", {"SIPAccount": {"Id": "peer-to-peer", "Registrar": ADDRESS}}, INVALID,
     "SIPAccount.Registrar is not a field of the peer-to-peer account"),
    ("RemoveSIPAccount", {"Id": "peer-to-peer"}, INVALID, "cannot be removed"),
    ("Call", {"To": "tel:+4612345"}, INVALID, "To: 'tel:+4612345' is not a SIP address"),
    ("Call", {"To": 5}, INVALID, "To: a SIP address"),
    ("Call", {"To": "sip:a@b", "AccountId": "A7"}, INVALID, "no SIP account with Id 'A7'"),
    ("TerminateCall", {"CallId": "1"}, INVALID, "the line is idle"),
    ("GetCallStatus", {"CallId": 1}, INVALID, "CallId must be a string"),
    ("MakeCoffee", {}, METHOD, "Method not supported: 'axcall:MakeCoffee'"),
])
def test_bad_input_is_refused_saying_why_and_nothing_changes(
        herald: HeraldStack, beside_stack, peer, method: str, fields: dict, code: int,
        words: str) -> None:
    before = beside_stack.snapshot()
    found, message = refusal(herald, method, **fields)
    assert found == code and words in message, message
    after = beside_stack.snapshot()
    assert after.instances == before.instances
    assert {n: after.get(n) for n in ("SIP.CallTimeout", "SIP.Port", "SIP.AudioCodecs")} == {
        n: before.get(n) for n in ("SIP.CallTimeout", "SIP.Port", "SIP.AudioCodecs")}
    assert data(herald, "GetCallStatuses") == {"CallStatuses": []}
    assert not any(e.get("type") == "CALL_INCOMING" for e in peer.events)


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"axcall:Call": {}, "x": 1}'])
def test_a_malformed_request_is_refused(herald: HeraldStack, body: bytes) -> None:
    with herald.vapix(herald.accounts["admin"]) as client:
        error = client.post(API, content=body).json()["error"]
    assert error["code"] == JSON


def test_an_account_set_through_the_api_registers(herald: HeraldStack, beside_stack,
                                                  registrar) -> None:
    made = data(herald, "SetSIPAccount", SIPAccount={
        "Name": "Front desk", "UserID": "1001", "Password": "not-the-one",
        "Registrar": ADDRESS, "RegistrarPort": REGISTRAR_PORT})["SIPAccount"]
    assert made == {"Id": "A0", "Name": "Front desk", "UserID": "1001", "AuthenticationID": "",
                    "CallerID": "", "Registrar": ADDRESS, "RegistrarPort": REGISTRAR_PORT,
                    "Transport": "udp", "AutoAnswer": False}

    def registration() -> dict:
        return data(herald, "GetSIPAccountStatus", "operator", Id="A0")["SIPAccountStatus"]

    failed = wait_until(lambda: (s := registration())["Registration"] == "failed" and s,
                        what="the wrong password to be refused")
    assert "403" in failed["Reason"]
    data(herald, "SetSIPAccount", SIPAccount={"Id": "A0", "Password": "s3cret-Pass"})
    wait_until(lambda: registration()["Registration"] == "registered",
               what="the account to register")
    assert "1001" in registrar.contacts
    accounts = data(herald, "GetSIPAccounts", "operator")["SIPAccounts"]
    assert [a["Id"] for a in accounts] == ["peer-to-peer", "A0"]
    assert not any("Password" in a for a in accounts)
    assert "<td>Front desk</td>" in sip_page(herald)
    statuses = data(herald, "GetSIPAccountStatuses")["SIPAccountStatuses"]
    assert [(s["Id"], s["Registration"]) for s in statuses] == [
        ("peer-to-peer", "peer-to-peer"), ("A0", "registered")]

    assert data(herald, "RemoveSIPAccount", Id="A0") == {}
    assert "<td>Front desk</td>" not in sip_page(herald)
    assert [a["Id"] for a in data(herald, "GetSIPAccounts")["SIPAccounts"]] == ["peer-to-peer"]


def test_a_call_rings_the_phone_shows_and_is_ended(herald: HeraldStack, beside_stack,
                                                   peer) -> None:
    assert data(herald, "Call", "operator", To=peer.uri) == {"CallId": "1"}
    peer.wait_event("CALL_INCOMING")
    calling = wait_until(lambda: data(herald, "GetCallStatuses", "operator")["CallStatuses"],
                         what="the call to show")
    assert [(c["CallId"], c["State"], c["Direction"], c["RemoteURI"]) for c in calling] == [
        ("1", "calling", "outgoing", peer.uri)]
    peer.command("accept")
    wait_until(lambda: data(herald, "GetCallStatus", CallId="1")["CallStatus"]["State"]
               == "active", what="the call to be active")
    assert data(herald, "TerminateCall", "operator", CallId="1") == {}
    peer.wait_event("CALL_CLOSED")
    wait_until(lambda: data(herald, "GetCallStatuses")["CallStatuses"] == [],
               what="the line to be idle")


def test_the_simple_form_calls_and_sets(herald: HeraldStack, beside_stack, peer) -> None:
    def simple(action: str, role: str = "operator", **fields: str) -> dict:
        with herald.vapix(herald.accounts[role]) as client:
            return client.get(API, params={"format": "simple", "action": f"axcall:{action}",
                                           **fields}).json()

    assert simple("Call", To=peer.uri)["data"] == {"CallId": "1"}
    peer.wait_event("CALL_INCOMING")
    wait_until(lambda: simple("GetCallStatus", CallId="1").get("data"),
               what="the call to show")
    assert simple("TerminateCall", CallId="1")["data"] == {}
    peer.wait_event("CALL_CLOSED")

    changed = simple("SetSIPConfiguration", "admin", CallTimeout="30", SIPEnabled="true")
    assert changed["data"]["SIPConfiguration"]["CallTimeout"] == 30
    assert beside_stack.snapshot().get("SIP.CallTimeout") == "30"
    refused = simple("SetSIPConfiguration", "admin", CallTimeout="soon")["error"]
    assert "CallTimeout must be an integer" in refused["message"]
    assert simple("SetAudioCodecs", "admin", AudioCodecs="g722,pcmu")["data"] == {
        "AudioCodecs": ["g722", "pcmu"]}
    assert "format must be simple" in simple("GetSIPConfiguration", format="json")[
        "error"]["message"]


def test_roles(herald: HeraldStack, beside_stack) -> None:
    """Operators read and call, administrators also change; viewers and
    anonymous callers are refused (a challenge for those without credentials)."""
    assert post(herald, "GetSIPConfiguration", "viewer").status_code == 403
    assert post(herald, "GetSIPConfiguration", None).status_code == 401
    assert post(herald, "Call", "viewer", To="sip:a@b").status_code == 403
    for method, fields in [("SetSIPConfiguration", {"SIPConfiguration": {"CallTimeout": 20}}),
                           ("SetSIPAccount", {"SIPAccount": {"Name": "x", "UserID": "1",
                                                             "Registrar": ADDRESS}}),
                           ("RemoveSIPAccount", {"Id": "A0"}),
                           ("SetAudioCodecs", {"AudioCodecs": ["pcma"]})]:
        reply = post(herald, method, "operator", **fields)
        assert reply.status_code == 403 and reply.json()["error"]["code"] == 2105, method
    assert beside_stack.snapshot().get("SIP.CallTimeout") == "90"
    assert data(herald, "GetServiceCapabilities", "operator")["Capabilities"][
        "MaxConcurrentCalls"] == 1


def test_properties_say_the_api_is_there(herald: HeraldStack) -> None:
    with herald.vapix(herald.accounts["viewer"]) as client:
        listed = client.get("/axis-cgi/param.cgi",
                            params={"action": "list", "group": "Properties.API.SIP"}).text
    assert "root.Properties.API.SIP.SIP=yes" in listed
    assert "root.Properties.API.SIP.Version=2.0" in listed
