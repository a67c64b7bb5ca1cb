"""The Maintenance page's firmware API and firmwaremanagement.cgi on a
development host: uploads are checked piece by piece, every input error gets
a clear answer and changes nothing, only administrators get in, and where
no RAUC service runs an upgrade is refused as not available, with the
uploaded file removed."""

from __future__ import annotations

import json
import secrets
import time

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import wait_until
from tests.update.firmware_cgi import CGI, multipart
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import form_token, login

UPLOAD = "/maintenance/firmware/upload/"


@pytest.fixture
def admin(herald):
    with herald.browser(herald.accounts["admin"]) as client:
        client.headers["X-CSRFToken"] = form_token(client, "/maintenance/")
        yield client


def upload_dir(herald):
    return herald.data_dir / "firmware-upload"


def upload(client: httpx.Client, data: bytes, piece: int = 1000) -> str:
    token = client.post(UPLOAD, json={"size": len(data), "name": "x.raucb"}).json()["upload"]
    for offset in range(0, len(data), piece):
        reply = client.post(f"{UPLOAD}{token}/?offset={offset}",
                            content=data[offset:offset + piece])
        assert reply.status_code == 200, reply.text
    return token


def firmware_socket(herald, client: httpx.Client):
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return connect(herald.http_url.replace("http://", "ws://") + "/ws/maintenance/firmware/",
                   additional_headers={"Cookie": cookie}, open_timeout=30)


def next_progress(socket, stage: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"no progress {stage!r} within {timeout:.0f} s")
        progress = json.loads(socket.recv(timeout=remaining))["firmware"]["progress"]
        if progress and progress["stage"] == stage:
            return progress


def test_the_maintenance_page_offers_upgrade_and_rollback(admin):
    page = admin.get("/maintenance/").text
    for text in ("Firmware upgrade", "Standard upgrade", "Factory default: upgrade",
                 "Autorollback", "Firmware rollback", 'accept=".raucb"',
                 "Really restart the device?"):
        assert text in page
    # This host has no previous firmware (no RAUC): nothing to roll back to is offered.
    assert '<details data-fw="rollback" hidden>' in page


def test_uploads_are_checked_piece_by_piece(herald, admin):
    assert admin.post(UPLOAD, json={"size": 0}).json() == {
        "error": "the size must be a positive whole number of bytes"}
    assert "too big" in admin.post(UPLOAD, json={"size": 3 * 1024**3}).json()["error"]
    assert admin.post(UPLOAD, content=b"{not json", headers={
        "Content-Type": "application/json"}).status_code == 400
    token = admin.post(UPLOAD, json={"size": 10, "name": "f.raucb"}).json()["upload"]
    assert admin.post(f"{UPLOAD}{token}/?offset=5", content=b"12345").status_code == 409
    assert admin.post(f"{UPLOAD}{token}/?offset=0", content=b"x" * 11).json() == {
        "error": "the file is bigger than announced"}
    assert admin.post(f"{UPLOAD}{token}/?offset=0", content=b"12345").json() == {
        "received": 5, "size": 10}
    assert admin.post(f"{UPLOAD}{'0' * 32}/?offset=0", content=b"1").status_code == 404
    incomplete = admin.post("/maintenance/firmware/upgrade/", json={
        "upload": token, "type": "standard"})
    assert incomplete.json() == {"error": "the upload is incomplete (5 of 10 bytes)"}
    assert admin.post("/maintenance/firmware/upgrade/", json={
        "upload": token, "type": "sideways"}).status_code == 400
    assert "1 to 1440 minutes" in admin.post("/maintenance/firmware/upgrade/", json={
        "upload": token, "type": "autorollback", "minutes": 0}).json()["error"]
    # A new upload replaces the unfinished one.
    upload(admin, b"y" * 10)
    assert len(list(upload_dir(herald).glob("*.raucb"))) == 1


def test_an_upload_cut_off_by_a_restart_is_dropped_when_the_web_admin_starts(fresh_herald):
    set_up_accounts(fresh_herald)
    with fresh_herald.browser(fresh_herald.accounts["admin"]) as client:
        client.headers["X-CSRFToken"] = form_token(client, "/maintenance/")
        token = client.post(UPLOAD, json={"size": 10, "name": "half.raucb"}).json()["upload"]
        client.post(f"{UPLOAD}{token}/?offset=0", content=b"12345")
    assert {p.suffix for p in upload_dir(fresh_herald).iterdir()} == {".raucb", ".json"}
    web = fresh_herald.processes.pop("web")
    web.terminate()
    web.wait(timeout=20)
    fresh_herald.start_web()
    assert list(upload_dir(fresh_herald).iterdir()) == []
    assert "dropped the incomplete firmware upload half.raucb" in (
        fresh_herald.data_dir / "logs" / "system.log").read_text()


def test_only_administrators_use_the_firmware_api(herald):
    with herald.browser(herald.accounts["operator"]) as client:
        client.headers["X-CSRFToken"] = form_token(client, "/status/")
        assert client.post(UPLOAD, json={"size": 10}).status_code == 403
        assert client.post("/maintenance/firmware/confirm/").status_code == 403
    with herald.vapix(herald.accounts["operator"]) as client:
        assert client.post(CGI, json={"apiVersion": "1.0", "method": "status"}).status_code == 403
    with httpx.Client(base_url=herald.http_url) as anonymous:
        assert anonymous.post(CGI, json={"method": "status"}).status_code == 401


def test_without_rauc_an_upgrade_is_refused_and_its_file_removed(herald, admin):
    with firmware_socket(herald, admin) as socket:
        token = upload(admin, secrets.token_bytes(5000))
        assert admin.post("/maintenance/firmware/upgrade/", json={
            "upload": token, "type": "standard"}).json() == {"started": True}
        progress = next_progress(socket, "refused")
    assert progress["reason"] == "unavailable"
    assert "not available" in progress["message"]
    # The worker discards it once the service's answer reaches it, just after the page's news.
    wait_until(lambda: not list(upload_dir(herald).glob("*.raucb")), what="the file removed")


@pytest.mark.parametrize(("choice", "error"), [
    ({"type": "nightly"}, "the upgrade type must be one of standard, factory-default, "
                          "autorollback, not 'nightly'"),
    ({"type": "autorollback", "minutes": 0}, "the time to confirm must be 1 to 1440 minutes, "
                                             "not 0"),
    ({"type": "autorollback", "minutes": "5"}, "the time to confirm must be 1 to 1440 minutes, "
                                               "not '5'"),
])
def test_an_upgrade_the_page_does_not_offer_is_refused_and_the_upload_kept(admin, herald,
                                                                          choice, error):
    token = upload(admin, secrets.token_bytes(3000))
    reply = admin.post("/maintenance/firmware/upgrade/", json={"upload": token, **choice})
    assert (reply.status_code, reply.json()) == (400, {"error": error})
    assert (upload_dir(herald) / f"{token}.raucb").stat().st_size == 3000  # to choose again


BAD_URLS = [
    ("ftp://updates.example.com/herald.raucb", "must start with http:// or https://"),
    ("updates.example.com/herald.raucb", "must start with http:// or https://"),
    ("https:///herald.raucb", "names no server"),
    ("https://root:secret@updates.example.com/h.raucb", "must not hold a user name or password"),
    ("https://updates.example.com/a b.raucb", "must not hold spaces"),
    ("https://updates.example.com:99999/h.raucb", "not a valid URL"),
    ("https://updates.example.com/" + "x" * 2000, "longer than 2000 characters"),
    (42, "must be a URL"),
]


@pytest.mark.parametrize(("url", "error"), BAD_URLS)
def test_an_upgrade_from_a_bad_address_is_refused_and_nothing_starts(admin, herald, url, error):
    reply = admin.post("/maintenance/firmware/upgrade/", json={"url": url, "type": "standard"})
    assert reply.status_code == 400 and error in reply.json()["error"]
    with firmware_socket(herald, admin) as socket:  # its first message: the state now
        progress = json.loads(socket.recv(timeout=30))["firmware"]["progress"]
    assert progress is None or progress["stage"] != "checking"


def test_an_upgrade_from_an_address_without_rauc_is_refused_as_unavailable(herald, admin):
    with firmware_socket(herald, admin) as socket:
        assert admin.post("/maintenance/firmware/upgrade/", json={
            "url": "http://127.0.0.1:9/herald.raucb", "type": "standard"}).json() == {
            "started": True}
        progress = next_progress(socket, "refused")
    assert progress["reason"] == "unavailable"


def test_nothing_to_confirm_or_roll_back_is_said_so(admin):
    assert admin.post("/maintenance/firmware/confirm/").json() == {
        "error": "no upgrade is waiting for a confirmation"}
    reply = admin.post("/maintenance/firmware/rollback/", json={})
    assert reply.status_code == 409 and "not available" in reply.json()["error"]


def rpc(client: httpx.Client, method: str, **params) -> dict:
    reply = client.post(CGI, json={"apiVersion": "1.0", "context": "t", "method": method,
                                   "params": params})
    assert reply.status_code == 200
    return reply.json()


def test_firmwaremanagement_answers_in_vapix_envelopes(herald):
    with herald.vapix(herald.accounts["admin"]) as client:
        assert rpc(client, "getSupportedVersions")["data"] == {
            "apiVersions": ["1.0", "1.1", "1.2", "1.3"]}
        assert rpc(client, "dance")["error"]["code"] == 405
        assert rpc(client, "factoryDefault", factoryDefaultMode="medium")["error"] == {
            "code": 400, "message": "factoryDefaultMode must be soft or hard"}
        assert rpc(client, "upgrade")["error"]["code"] == 400
        assert rpc(client, "commit") == {"apiVersion": "1.0", "context": "t", "method": "commit",
                                         "data": {"firmwareVersion": "0.1.0-dev"}}
        assert rpc(client, "autoRollback", autoRollback=5)["error"] == {
            "code": 400, "message": "no upgrade is waiting for its commit"}
        assert rpc(client, "status")["error"]["code"] == 500
        reply = client.post(CGI, content=b"{", headers={"Content-Type": "application/json"})
        assert reply.json()["error"]["code"] == 400
        apis = client.post("/axis-cgi/apidiscovery.cgi", json={
            "apiVersion": "1.0", "method": "getApiList"}).json()["data"]["apiList"]
        assert {"id": "fwmgr", "version": "1.3"}.items() <= next(
            a for a in apis if a["id"] == "fwmgr").items()


@pytest.mark.parametrize(("params", "message"), [
    ({"autoCommit": "never", "autoRollback": "never"}, "autoRollback must be a time"),
    ({"autoCommit": "never", "factoryDefaultMode": "hard"}, "cannot be rolled back"),
    ({"autoRollback": "soon"}, "autoRollback must be a number of minutes"),
    ({"factoryDefaultMode": "all"}, "factoryDefaultMode must be none, soft or hard"),
])
def test_upgrade_parameters_are_checked_and_the_file_dropped(herald, params, message):
    body, content_type = multipart({"apiVersion": "1.0", "method": "upgrade", "params": params},
                                   b"firmware" * 1000)
    with herald.vapix(herald.accounts["admin"]) as client:
        answer = client.post(CGI, content=body, headers={"Content-Type": content_type}).json()
    assert answer["error"]["code"] == 400 and message in answer["error"]["message"]
    assert not list(upload_dir(herald).glob("*.raucb"))


@pytest.mark.parametrize(("url", "error"), BAD_URLS[:3])
def test_firmwaremanagement_checks_the_address_of_an_upgrade(herald, url, error):
    with herald.vapix(herald.accounts["admin"]) as client:
        answer = rpc(client, "upgrade", url=url)
        assert answer["error"]["code"] == 400 and error in answer["error"]["message"]
        body, content_type = multipart({"apiVersion": "1.0", "method": "upgrade",
                                        "params": {"url": "https://example.com/h.raucb"}},
                                       b"firmware" * 1000)
        both = client.post(CGI, content=body, headers={"Content-Type": content_type}).json()
    assert both["error"] == {"code": 400, "message": "send either the firmware file or "
                                                     "params.url, not both"}
    assert not list(upload_dir(herald).glob("*.raucb"))


def test_an_upgrade_from_an_address_through_vapix_without_rauc_is_unavailable(herald):
    with herald.vapix(herald.accounts["admin"]) as client:
        answer = rpc(client, "upgrade", url="https://updates.example.com/herald.raucb")
    assert answer["error"]["code"] == 500 and "not available" in answer["error"]["message"]


def test_a_streamed_upgrade_without_rauc_is_refused_as_unavailable(herald):
    body, content_type = multipart({"apiVersion": "1.0", "method": "upgrade"},
                                   secrets.token_bytes(3_000_000))  # above Django's body limit
    with herald.vapix(herald.accounts["admin"]) as client:
        answer = client.post(CGI, content=body, headers={"Content-Type": content_type}).json()
        assert answer["method"] == "upgrade" and answer["error"]["code"] == 500
        assert "not available" in answer["error"]["message"]
        broken = client.post(CGI, content=body[: len(body) // 2],
                             headers={"Content-Type": content_type})
        assert broken.json()["error"]["code"] == 400
    wait_until(lambda: not list(upload_dir(herald).glob("*.raucb")), what="the file removed")


def test_a_browser_login_is_not_enough_for_the_cgi(herald):
    with httpx.Client(base_url=herald.http_url) as client:
        login(client, herald.accounts["admin"])
        assert client.post(CGI, json={"method": "status"}).status_code == 401
