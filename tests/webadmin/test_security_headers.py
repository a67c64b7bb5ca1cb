"""What every reply carries against a hostile page: a content policy that
allows only the device's own scripts and styles, no framing, no sniffing;
cookies that never travel over plain HTTP once set over HTTPS."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx

from tests.webadmin.stack import login

POLICY_PARTS = ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'")


def assert_guarded(reply) -> None:
    policy = reply.headers.get("content-security-policy", "")
    assert all(part in policy for part in POLICY_PARTS), policy
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"


def test_pages_api_replies_and_streaming_refusals_carry_the_headers(herald):
    with herald.vapix() as anonymous:
        assert_guarded(anonymous.get("/login/"))
        assert_guarded(anonymous.get("/axis-cgi/param.cgi"))  # the 401 challenge
        streamed = anonymous.post("/axis-cgi/audio/transmit.cgi", content=b"")
        assert streamed.status_code in (401, 403)
        assert_guarded(streamed)
    with herald.vapix(herald.accounts["viewer"]) as viewer, \
            viewer.stream("GET", "/axis-cgi/audio/receive.cgi") as listening:
        assert_guarded(listening)  # a reply that streams: the headers come first


def test_cookies_set_over_https_are_secure_and_over_http_still_work(herald):
    with httpx.Client(base_url=herald.https_url, verify=False, timeout=30) as client:
        client.get("/login/")
        reply = client.post("/login/", data={
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
            "username": herald.accounts["admin"].name,
            "password": herald.accounts["admin"].password}, headers={
            "Referer": herald.https_url + "/login/"})
        assert reply.status_code == 302
        cookies = SimpleCookie()
        for header in reply.headers.get_list("set-cookie"):
            cookies.load(header)
        assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httponly"]
    with herald.browser() as client:  # plain HTTP, where the manual allows it
        login(client, herald.accounts["admin"])
        assert client.get("/status/").status_code == 200


def test_an_unknown_address_gets_the_devices_own_page_not_found(herald):
    with herald.vapix() as anonymous:
        missing = anonymous.get("/no/such/page/")
        assert missing.status_code == 404
        assert "This device has no page at" in missing.text and "/no/such/page/" in missing.text
        assert_guarded(missing)
        login_page = anonymous.get("/login/").text
        icon = anonymous.get(re.search(r'<link rel="icon" href="([^"]+)"', login_page).group(1))
        assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
