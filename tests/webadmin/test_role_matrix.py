"""Every URL the web app serves, for an anonymous visitor, a viewer, an
operator and an administrator, gets exactly the access the manual gives.

The URL list comes from the app itself (`manage.py accessmap`), so pages,
CGIs and websockets that other apps add later are covered without touching
this test. What each one may do comes from the manual (System > Accounts,
privileges) and VAPIX, not from the app: a page is judged by the menu section
it sits in, a CGI by VAPIX's documented security level. A CGI this table does
not know yet is held to the level it declares, and is listed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from herald.access import Level
from tests.conftest import REPO
from tests.webadmin.stack import login

ROLES = {"anonymous": Level.ANONYMOUS, "viewer": Level.VIEWER, "operator": Level.OPERATOR,
         "admin": Level.ADMIN}
PUBLIC = {"/", "/healthz", "/login/", "/logout/", "/setup/"}
# The manual: a viewer has no access to change settings (Status only); an
# operator has all but the System settings (and adding apps); Maintenance
# (restart, reset, firmware) is for administrators, as VAPIX has it.
SECTIONS = {
    "/status/locate/": Level.OPERATOR,  # it beeps: for those who may play sound
    "/status/": Level.VIEWER, "/ws/status/": Level.VIEWER,
    "/audio/": Level.OPERATOR, "/speaker-test/": Level.OPERATOR, "/light/": Level.OPERATOR,
    "/recordings/": Level.OPERATOR, "/apps/": Level.OPERATOR,
    "/system/": Level.ADMIN, "/ws/system/": Level.ADMIN, "/maintenance/": Level.ADMIN,
    "/ws/maintenance/": Level.ADMIN,
}
# VAPIX security levels of the CGIs.
CGIS = {
    "param.cgi": Level.VIEWER, "admin/param.cgi": Level.VIEWER,
    "operator/param.cgi": Level.VIEWER, "view/param.cgi": Level.VIEWER,
    "apidiscovery.cgi": Level.ANONYMOUS, "basicdeviceinfo.cgi": Level.ANONYMOUS,
    "usergroup.cgi": Level.VIEWER, "pwdgrp.cgi": Level.ADMIN,
    "restart.cgi": Level.ADMIN, "factorydefault.cgi": Level.ADMIN,
    "hardfactorydefault.cgi": Level.ADMIN, "serverreport.cgi": Level.ADMIN,
    "systemlog.cgi": Level.ADMIN, "accesslog.cgi": Level.ADMIN, "debug/debug.tgz": Level.ADMIN,
    "mediaclip.cgi": Level.OPERATOR, "playclip.cgi": Level.VIEWER,
    "stopclip.cgi": Level.VIEWER, "audio/transmit.cgi": Level.VIEWER,
    "audio/receive.cgi": Level.VIEWER, "audiodevicecontrol.cgi": Level.OPERATOR,
    "firmwaremanagement.cgi": Level.ADMIN, "systemready.cgi": Level.ANONYMOUS,
    "applications/list.cgi": Level.VIEWER, "time.cgi": Level.VIEWER,
    "remotesyslog.cgi": Level.ADMIN,
    "virtualinput/activate.cgi": Level.OPERATOR, "virtualinput/deactivate.cgi": Level.OPERATOR,
    "virtualinput/getschemaversions.cgi": Level.OPERATOR, "wssession.cgi": Level.VIEWER,
    "/vapix/services": Level.VIEWER, "/vapix/ws-data-stream": Level.VIEWER,
    "/vapix/call": Level.OPERATOR,  # each method's own role: reading and calling
}
# CGIs that play sound out of the speaker, or silence it (an alarm clip), need
# an account even with anonymous viewing on: it is for looking, not for talking.
SPEAKING = {"/axis-cgi/playclip.cgi", "/axis-cgi/stopclip.cgi", "/axis-cgi/audio/transmit.cgi"}


def access_map(herald) -> list[dict]:
    done = subprocess.run(
        [sys.executable, str(REPO / "webadmin" / "manage.py"), "accessmap"],
        env=herald.env, capture_output=True, text=True, check=True, timeout=120,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def expected_level(row: dict) -> Level:
    path = row["path"]
    if path.startswith(("/axis-cgi/", "/vapix/")):
        name = path.removeprefix("/axis-cgi/")
        if name not in CGIS:
            print(f"{path}: not in the VAPIX table; held to its declared level {row['level']}")
        return CGIS.get(name, Level(row["level"]))
    for prefix, level in SECTIONS.items():
        if path.startswith(prefix):
            return level
    pytest.fail(f"{path} is outside the manual's menu: give it a section")


def sample(path: str) -> str:
    """A concrete URL for a pattern: any value does, access comes first."""
    return re.sub(r"<(?:\w+:)?\w+>", "sample", path)


@pytest.fixture(scope="module")
def sessions(herald):
    clients = {"anonymous": httpx.Client(base_url=herald.http_url, timeout=30)}
    for role in ("viewer", "operator", "admin"):
        client = httpx.Client(base_url=herald.http_url, timeout=30)
        login(client, herald.accounts[role])
        clients[role] = client
    yield clients
    for client in clients.values():
        client.close()


def page_verdict(client: httpx.Client, url: str, method: str, public: bool = False) -> str:
    data = {}
    if method == "POST" and "csrftoken" in client.cookies:
        data = {"csrfmiddlewaretoken": client.cookies["csrftoken"]}
    # Status and headers decide; the body is not read (a live stream never ends).
    with client.stream(method, url, data=data or None,
                       headers={"X-CSRFToken": client.cookies.get("csrftoken", "")}) as reply:
        pass
    location = reply.headers.get("location", "")
    sent_to_log_in = not public and location.startswith(("/login/", "/setup/"))
    if reply.status_code in (401, 403) or sent_to_log_in:
        return "denied"
    assert reply.status_code < 500, f"{method} {url}: {reply.status_code}"
    return "allowed"


def cgi_verdict(herald, role: str, url: str) -> str:
    """PUT is no CGI's method: an admitted caller gets 405, and nothing runs."""
    account = herald.accounts.get(role)
    with herald.vapix(account) as client:
        reply = client.put(url)
    if reply.status_code in (401, 403):
        return "denied"
    assert reply.status_code == 405, f"{role} PUT {url}: {reply.status_code}"
    return "allowed"


def websocket_verdict(herald, client: httpx.Client, url: str) -> str:
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    target = herald.http_url.replace("http://", "ws://") + url
    try:
        with connect(target, additional_headers={"Cookie": cookie} if cookie else None,
                     open_timeout=30):
            return "allowed"
    except InvalidStatus as refused:
        assert refused.response.status_code in (401, 403)  # VAPIX's challenge with Digest
        return "denied"


def check_matrix(herald, sessions, roles: dict[str, Level]) -> list[str]:
    wrong = []
    for row in access_map(herald):
        path = row["path"]
        assert row["kind"] is not None, f"{path}: its view declares no access (accounts.access)"
        expected = Level.ANONYMOUS if path in PUBLIC else expected_level(row)
        url = sample(path)
        for role, level in roles.items():
            speaks_anonymously = role == "anonymous" and path in SPEAKING
            want = "allowed" if level >= expected and not speaks_anonymously else "denied"
            if row["kind"] == "cgi":
                got = [cgi_verdict(herald, role, url)]
            elif row["kind"] == "websocket":
                got = [websocket_verdict(herald, sessions[role], url)]
            elif want == "denied":  # a refused POST acts on nothing, so try it too
                got = [page_verdict(sessions[role], url, m) for m in ("GET", "POST")]
            else:
                got = [page_verdict(sessions[role], url, "GET", public=path in PUBLIC)]
            if any(g != want for g in got):
                wrong.append(f"{role:9} {path}: {got}, want {want}")
    return wrong


def test_every_url_gives_each_role_the_manuals_access(herald, sessions):
    assert check_matrix(herald, sessions, ROLES) == []


def test_with_anonymous_viewing_an_anonymous_visitor_is_a_viewer(herald, sessions):
    with herald.vapix(herald.accounts["admin"]) as admin:
        assert admin.post("/axis-cgi/param.cgi", data={
            "action": "update", "System.AnonymousViewing": "yes"}).text == "OK\n"
        try:
            roles = {"anonymous": Level.VIEWER, "viewer": Level.VIEWER}
            assert check_matrix(herald, sessions, roles) == []
        finally:
            admin.post("/axis-cgi/param.cgi", data={
                "action": "update", "System.AnonymousViewing": "no"})
