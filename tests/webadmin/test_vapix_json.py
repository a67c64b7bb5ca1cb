"""apidiscovery.cgi and basicdeviceinfo.cgi: VAPIX's JSON envelope, its
error codes, and who may call which method."""

from __future__ import annotations

import pytest

DEVICE_INFO = "/axis-cgi/basicdeviceinfo.cgi"
DISCOVERY = "/axis-cgi/apidiscovery.cgi"
ALL_KEYS = {"Architecture", "Brand", "BuildDate", "HardwareID", "ProdFullName", "ProdNbr",
            "ProdShortName", "ProdType", "ProdVariant", "SerialNumber", "Soc",
            "SocSerialNumber", "Version", "WebURL"}


def call(client, path, body):
    reply = client.post(path, json=body)
    assert reply.headers["content-type"] == "application/json"
    return reply


def test_api_discovery_lists_what_exists_and_echoes_the_context(herald):
    with herald.vapix() as anonymous:
        reply = call(anonymous, DISCOVERY, {"apiVersion": "1.0", "context": "Axis library",
                                            "method": "getApiList"})
        assert reply.status_code == 200
        body = reply.json()
        assert (body["apiVersion"], body["context"], body["method"]) == (
            "1.0", "Axis library", "getApiList")
        ids = {api["id"] for api in body["data"]["apiList"]}
        assert {"api-discovery", "basic-device-info", "param-cgi", "user-management"} <= ids
        assert "light-control" not in ids and "io-port-management" not in ids
        only = call(anonymous, DISCOVERY, {"apiVersion": "1.0", "method": "getApiList",
                                           "params": {"id": "basic-*"}}).json()
        assert "context" not in only, "no context asked, none echoed"
        assert [a["id"] for a in only["data"]["apiList"]] == ["basic-device-info"]
        versions = call(anonymous, DISCOVERY, {"method": "getSupportedVersions"}).json()
        assert versions["data"] == {"apiVersions": ["1.0"]}


def test_basic_device_info_by_level(herald):
    serial = (herald.data_dir / "identity" / "serial").read_text().strip()
    with herald.vapix() as anonymous:
        open_to_all = call(anonymous, DEVICE_INFO, {
            "apiVersion": "1.2", "method": "getAllUnrestrictedProperties"}).json()
        assert open_to_all["data"]["propertyList"]["SerialNumber"] == serial
        assert not {"Architecture", "Soc", "SocSerialNumber"} & set(
            open_to_all["data"]["propertyList"])
        refused = anonymous.post(DEVICE_INFO, json={"apiVersion": "1.1",
                                                    "method": "getAllProperties"})
        assert refused.status_code == 401 and "Digest" in refused.headers["www-authenticate"]
    with herald.vapix(herald.accounts["viewer"]) as viewer:
        refused = call(viewer, DEVICE_INFO, {"apiVersion": "1.1", "method": "getAllProperties"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == 2001
    with herald.vapix(herald.accounts["operator"]) as operator:
        everything = call(operator, DEVICE_INFO, {"apiVersion": "1.1", "context": "c",
                                                  "method": "getAllProperties"}).json()
        assert set(everything["data"]["propertyList"]) == ALL_KEYS
        assert everything["context"] == "c" and everything["apiVersion"] == "1.1"
        some = call(operator, DEVICE_INFO, {"apiVersion": "1.0", "method": "getProperties",
                                            "params": {"propertyList": ["ProdNbr", "Version"]}})
        assert some.json()["data"]["propertyList"] == {"ProdNbr": "H1410", "Version": "0.1.0-dev"}


@pytest.mark.parametrize(("body", "code"), [
    (b"{not json", 4000),
    (b"[1, 2]", 4000),
    (b'{"apiVersion": "1.0"}', 4002),
    (b'{"apiVersion": "9.0", "method": "getAllProperties"}', 2003),
    (b'{"method": "getAllProperties"}', 4002),
    (b'{"apiVersion": "1.0", "method": "rebootEverything"}', 2004),
    (b'{"apiVersion": "1.0", "method": "getProperties", "params": {"propertyList": ["Nope"]}}',
     1000),
    (b'{"apiVersion": "1.0", "method": "getProperties", "params": {"propertyList": "ProdNbr"}}',
     4002),
    (b'{"apiVersion": "1.0", "method": "getProperties", "params": [1]}', 1000),
])
def test_bad_requests_get_the_vapix_error_code(herald, body, code):
    with herald.vapix(herald.accounts["operator"]) as operator:
        reply = operator.post(DEVICE_INFO, content=body,
                              headers={"Content-Type": "application/json"})
    assert reply.status_code == 200
    assert reply.json()["error"]["code"] == code
    assert "data" not in reply.json()


@pytest.mark.parametrize(("path", "code"), [
    (DISCOVERY, 2002), (DEVICE_INFO, 2002), ("/axis-cgi/systemready.cgi", 2002),
    ("/axis-cgi/audiodevicecontrol.cgi", 2102), ("/axis-cgi/firmwaremanagement.cgi", 405),
])
def test_only_post_is_accepted(herald, path, code):
    """A GET gets the API's JSON error: an empty 405 is an error the axis library does
    not swallow."""
    with herald.vapix(herald.accounts["admin"]) as admin:
        reply = admin.get(path)
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["error"]["code"] == code


def test_a_request_without_credentials_learns_to_authenticate(herald):
    """curl --digest probes with an empty POST: it must get the challenge, not
    a JSON error, or it never authenticates."""
    with herald.vapix() as anonymous:
        probe = anonymous.post(DEVICE_INFO, content=b"")
        assert probe.status_code == 401 and probe.headers["www-authenticate"].startswith("Digest")
        garbled = anonymous.post(DEVICE_INFO, content=b"{not json")
        assert garbled.status_code == 401
        # An API whose every method is open to all answers with its error.
        assert anonymous.post(DISCOVERY, content=b"").json()["error"]["code"] == 4000
        open_to_all = call(anonymous, DEVICE_INFO, {"apiVersion": "1.0",
                                                    "method": "getAllUnrestrictedProperties"})
        assert "Version" in open_to_all.json()["data"]["propertyList"]
    with herald.vapix(herald.accounts["operator"]) as operator:
        empty = operator.post(DEVICE_INFO, content=b"")  # Digest after the challenge
        assert empty.status_code == 200 and empty.json()["error"]["code"] == 4000


def test_hostile_bodies_get_errors_and_leave_no_trace_in_the_log(herald):
    deep = b"[" * 100_000 + b"]" * 100_000
    with herald.vapix() as anonymous:
        nested = anonymous.post(DISCOVERY, content=deep)
        assert nested.json()["error"]["code"] == 4000
    with herald.vapix(herald.accounts["operator"]) as operator:
        big = operator.post(DEVICE_INFO, content=b" " * 3_000_000)
        assert big.status_code == 200
        assert big.json()["error"]["code"] == 1000
        assert "larger than" in big.json()["error"]["message"]
    with herald.vapix(herald.accounts["admin"]) as admin:
        log = admin.get("/axis-cgi/systemlog.cgi").text
    assert "Traceback" not in log and "VAPIX" not in log


def test_system_ready_says_when_every_service_answers(fresh_herald):
    """What an integrator's script waits on after a boot: anonymous, also
    before the root password is set (then "needsetup")."""
    body = {"apiVersion": "1.0", "method": "systemready", "params": {"timeout": 0}}
    with fresh_herald.vapix() as anonymous:
        before = call(anonymous, "/axis-cgi/systemready.cgi", body).json()["data"]
        assert before["systemready"] == "no"  # herald-core is not running yet
        assert before["needsetup"] == "yes"
        assert int(before["uptime"]) > 0 and len(before["bootid"]) == 36
        fresh_herald.start_core()
        waited = call(anonymous, "/axis-cgi/systemready.cgi",
                      {**body, "params": {"timeout": 30}}).json()["data"]
        assert waited["systemready"] == "yes"
        bad = call(anonymous, "/axis-cgi/systemready.cgi", {**body, "params": {"timeout": 600}})
        assert bad.json()["error"]["code"] == 1000
        listed = call(anonymous, DISCOVERY, {"apiVersion": "1.0", "method": "getApiList",
                                             "params": {"id": "systemready"}}).json()
        assert [api["id"] for api in listed["data"]["apiList"]] == ["systemready"]
