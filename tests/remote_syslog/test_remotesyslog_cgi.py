"""VAPIX remotesyslog.cgi (AXIS's Remote Syslog API, id remote-syslog) on the
whole stack: a server set by `setup` gets herald-system's test message at a
real rsyslogd; `status` says what was set; `disable` stops sending, keeping
the servers (the Logs page says so), and `enable` sends again; a TLS server
set again keeps the CA certificate VAPIX has no field for; bad input is refused in AXIS's error
shape with nothing changed; only administrators may call it; API discovery
lists it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from herald.environment import from_variables
from herald.system import contract, logs
from tests.conftest import wait_until
from tests.remote_syslog.herald_process import HeraldProcess
from tests.remote_syslog.rsyslog import Receiver
from tests.webadmin.stack import HeraldStack

CGI = "/axis-cgi/remotesyslog.cgi"
INVALID, MISSING, METHOD = 2104, 2103, 2102  # the newer APIs' error codes
TEST_MESSAGE = "Test message to the remote syslog servers, asked by "
SWITCHED_OFF = "Sending is switched off"


def call(herald: HeraldStack, method: str, role: str | None = "admin",
         **params: Any) -> httpx.Response:
    account = herald.accounts[role] if role else None
    with herald.vapix(account) as client:
        return client.post(CGI, json={"apiVersion": "1.0", "context": "t", "method": method,
                                      "params": params})


def answer(herald: HeraldStack, method: str, **params: Any) -> dict[str, Any]:
    """An administrator's call, answered in the envelope."""
    reply = call(herald, method, **params)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert (body["apiVersion"], body["context"], body["method"]) == ("1.0", "t", method), body
    return body


def data(herald: HeraldStack, method: str, **params: Any) -> dict[str, Any]:
    body = answer(herald, method, **params)
    assert "error" not in body, body
    return body["data"]


def server(receiver: Receiver, **fields: Any) -> dict[str, Any]:
    return {"address": "127.0.0.1", "port": receiver.port, "protocol": receiver.protocol,
            "syslogFormat": "RFC5424", "severity": "info", **fields}


def logs_page(herald: HeraldStack) -> str:
    with herald.browser(herald.accounts["admin"]) as browser:
        return browser.get("/system/logs/").text


def sent_to(herald: HeraldStack) -> list[dict]:
    """The servers herald-system sends to now, as it says on the bus."""
    return (herald.bus().state().get(contract.REMOTE_SYSLOG) or {}).get("servers", [])


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(tmp_path / "rsyslog", contract.TCP)
    found.start()
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture
def as_found(herald: HeraldStack) -> Iterator[None]:
    """The shared device left without servers, sending switched on."""
    yield
    assert "error" not in answer(herald, "setup", servers=[], enabled=True)
    wait_until(lambda: not sent_to(herald), what="herald-system to send to no server")


def test_api_discovery_lists_it(herald: HeraldStack) -> None:
    with herald.vapix() as anonymous:
        listed = anonymous.post("/axis-cgi/apidiscovery.cgi", json={
            "apiVersion": "1.0", "method": "getApiList", "params": {"id": "remote-*"}}).json()
    assert [(api["id"], api["version"]) for api in listed["data"]["apiList"]] == [
        ("remote-syslog", "1.0")]
    assert data(herald, "getSupportedVersions") == {"apiVersions": ["1.0"]}


def test_setup_and_test_reach_a_real_receiver(herald, receiver, as_found) -> None:
    # The test message is a notice: sent whatever the server's severity.
    wanted = server(receiver, severity="error")
    assert data(herald, "setup", servers=[wanted]) == {"enabled": True, "servers": [wanted]}
    assert data(herald, "status") == {"enabled": True, "servers": [wanted]}
    assert data(herald, "test") == {"sent": True, "servers": [
        {"address": "127.0.0.1", "port": receiver.port, "protocol": "TCP"}]}
    severity, _, app, message, raw = wait_until(
        lambda: receiver.lines(TEST_MESSAGE), what="the test message at the receiver")[0]
    assert (severity, app, message) == ("notice", "herald-system", TEST_MESSAGE + "admin1"), raw
    assert raw.startswith("<29>1 "), raw  # daemon.notice in RFC 5424

    # The port left out is the protocol's default, and status says so.
    data(herald, "setup", servers=[{"address": "192.0.2.7", "protocol": "UDP"}])
    assert data(herald, "status")["servers"] == [{
        "address": "192.0.2.7", "port": 514, "protocol": "UDP", "syslogFormat": "RFC3164",
        "severity": "info"}]


def test_disable_stops_sending_and_enable_resumes(herald, receiver, as_found,
                                                  tmp_path) -> None:
    wanted = server(receiver)
    data(herald, "setup", servers=[wanted], enabled=True)
    wait_until(lambda: [s for s in sent_to(herald) if s["connected"]],
               what="herald-system to connect to the receiver")
    app = HeraldProcess("herald-web", herald.data_dir, herald.redis_url)
    try:
        assert data(herald, "disable") == {"enabled": False, "servers": [wanted]}
        wait_until(lambda: not sent_to(herald), what="herald-system to stop sending")
        unsent = f"while-off-{uuid.uuid4().hex[:12]}"
        app.log("error", unsent)
        system_log = from_variables({"HERALD_DATA_DIR": str(herald.data_dir)}).logs_dir / \
            logs.SYSTEM
        wait_until(lambda: unsent in system_log.read_text(errors="replace"),
                   what="the line logged while disabled in the system log")
        refused = answer(herald, "test")
        assert refused["error"]["code"] == INVALID
        assert "switched off" in refused["error"]["message"]
        assert SWITCHED_OFF in logs_page(herald)

        assert data(herald, "enable") == {"enabled": True, "servers": [wanted]}
        again = f"after-on-{uuid.uuid4().hex[:12]}"

        def arrived() -> bool:  # logged again until herald-system follows the log anew
            app.log("error", again)
            return bool(receiver.lines(again))
        wait_until(arrived, interval=0.5, what="a line logged after enable at the receiver")
        assert not receiver.lines(unsent), "a line logged while disabled was sent"
        assert data(herald, "status") == {"enabled": True, "servers": [wanted]}
        assert SWITCHED_OFF not in logs_page(herald)
    finally:
        app.stop()


def ca_certificate(herald: HeraldStack) -> str:
    """RemoteSyslog.S0's CA certificate (VAPIX has no field for it), by param.cgi."""
    with herald.vapix(herald.accounts["admin"]) as client:
        reply = client.post("/axis-cgi/param.cgi", data={
            "action": "list", "group": "RemoteSyslog.S0.CACertificate"})
    assert reply.status_code == 200, reply.text
    return reply.text.strip().partition("=")[2]


def test_a_tls_server_set_again_keeps_its_ca_certificate(herald, as_found) -> None:
    tls = {"address": "192.0.2.8", "port": 6514, "protocol": "TLS", "syslogFormat": "RFC5424",
           "severity": "info"}
    data(herald, "setup", servers=[tls])
    with herald.vapix(herald.accounts["admin"]) as client:  # as the page chooses it
        chosen = client.post("/axis-cgi/param.cgi", data={
            "action": "update", "RemoteSyslog.S0.CACertificate": "site-ca.pem"})
    assert chosen.text.strip() == "OK", chosen.text
    data(herald, "setup", servers=[{**tls, "port": 0, "severity": "error"}])  # 0: 6514 too
    assert ca_certificate(herald) == "site-ca.pem"
    data(herald, "setup", servers=[{**tls, "port": 6515}])  # another server
    assert ca_certificate(herald) == ""


BAD = [
    ("setup", {"servers": [{"address": "127.0.0.1", "protocol": "SCTP"}]}, INVALID,
     "params.servers[0].protocol: must be one of UDP, TCP, TLS"),
    ("setup", {"servers": [{"address": "127.0.0.1", "port": 70000}]}, INVALID,
     "params.servers[0].port: must be between 0 and 65535"),
    ("setup", {"servers": [{"address": "127.0.0.1", "port": -1}]}, INVALID,
     "params.servers[0].port: must be between 0 and 65535"),
    ("setup", {"servers": [{"address": "127.0.0.1", "port": "514"}]}, INVALID,
     "params.servers[0].port must be an integer"),
    ("setup", {"servers": [{"address": "not a host!"}]}, INVALID,
     "params.servers[0].address: must be a host name or an IP address"),
    ("setup", {"servers": [{"address": ""}]}, INVALID,
     "params.servers[0].address: must be a host name or an IP address"),
    ("setup", {"servers": [{"address": "127.0.0.1", "severity": "loud"}]}, INVALID,
     "params.servers[0].severity: must be one of emergency, alert"),
    ("setup", {"servers": [{"address": "127.0.0.1", "syslogFormat": "JSON"}]}, INVALID,
     "params.servers[0].syslogFormat: must be one of Axis, RFC3164, RFC5424"),
    ("setup", {"servers": [{"address": f"192.0.2.{n}"} for n in range(5)]}, INVALID,
     "params.servers holds at most 4 servers, not 5"),
    ("setup", {"servers": {"address": "127.0.0.1"}}, INVALID, "params.servers must be a list"),
    ("setup", {"servers": ["127.0.0.1"]}, INVALID, "params.servers[0] must be an object"),
    ("setup", {"servers": [{"protocol": "UDP"}]}, MISSING, "params.servers[0].address is "
                                                           "required"),
    ("setup", {"servers": [{"address": "127.0.0.1", "host": "x"}]}, INVALID,
     "params.servers[0].host is not a server field"),
    ("setup", {"servers": [], "enabled": "no"}, INVALID, "params.enabled must be true or false"),
    ("setup", {"enabled": False}, MISSING, "params.servers is required"),
    ("setup", {"servers": [], "tls": True}, INVALID, "params.tls is not a parameter of setup"),
    ("delete", {}, METHOD, "Method not supported"),
]


@pytest.mark.parametrize(("method", "params", "code", "message"), BAD,
                         ids=[f"{n}-{m}" for n, (m, *_) in enumerate(BAD)])
def test_bad_input_is_refused_and_changes_nothing(herald, receiver, as_found, method, params,
                                                  code, message) -> None:
    # A valid server beside a bad one: the whole list is refused.
    if params.get("servers") and isinstance(params["servers"], list) and len(
            params["servers"]) < 4:
        params = {**params, "servers": [server(receiver), *params["servers"]]}
        message = message.replace("servers[0]", "servers[1]")
    before = data(herald, "setup", servers=[server(receiver, severity="warning")])
    refused = answer(herald, method, **params)
    assert refused["error"]["code"] == code, refused
    assert message in refused["error"]["message"], refused
    assert "data" not in refused
    assert data(herald, "status") == before


@pytest.mark.parametrize("role", ["viewer", "operator", None])
def test_only_administrators_may_call_it(herald, receiver, as_found, role) -> None:
    before = data(herald, "setup", servers=[server(receiver)])
    for method, params in (("status", {}), ("getSupportedVersions", {}), ("disable", {}),
                           ("setup", {"servers": []}), ("test", {})):
        refused = call(herald, method, role, **params)
        assert refused.status_code == (401 if role is None else 403), (method, refused.text)
        if role is None:
            assert "Digest" in refused.headers["www-authenticate"]
    assert data(herald, "status") == before
    assert not receiver.lines(TEST_MESSAGE)
