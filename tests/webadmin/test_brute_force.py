"""Prevent brute-force attacks: an address that fails to log in too often is
blocked for the blocking period, through VAPIX and the login page alike, and
the access log says so; with Blocking off nothing is blocked."""

from __future__ import annotations

from tests.conftest import wait_until
from tests.webadmin.digest_client import PARAMS, challenge_fields, digest_header
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import HeraldStack, post_form

ROOT_PARAM = "/axis-cgi/param.cgi"


def set_policy(stack: HeraldStack, **values: str) -> None:
    with stack.vapix(stack.accounts["root"]) as root:
        reply = root.post(ROOT_PARAM, data={"action": "update", **{
            f"System.PreventDoSAttack.{name}": value for name, value in values.items()}})
        assert reply.text == "OK\n", reply.text


def wrong_passwords(stack: HeraldStack, count: int) -> list[int]:
    """`count` Digest attempts with a wrong password, as fast as they go."""
    viewer = stack.accounts["viewer"]
    codes = []
    with stack.vapix() as client:
        challenge = challenge_fields(client.get(PARAMS))
        for n in range(count):
            header = digest_header(viewer, challenge, PARAMS, nc=f"{n + 1:08x}",
                                   password="guess")
            codes.append(client.get(PARAMS, headers={"Authorization": header}).status_code)
    return codes


def test_an_address_that_guesses_too_often_is_blocked_for_the_period(fresh_herald):
    set_up_accounts(fresh_herald)
    # A minute-long window, so that the count does not depend on the machine's speed.
    set_policy(fresh_herald, DoSPageCount="5", DoSPageInterval="60", DoSBlockingPeriod="4")
    assert wrong_passwords(fresh_herald, 7) == [401] * 6 + [429]
    with fresh_herald.vapix(fresh_herald.accounts["viewer"]) as viewer:
        blocked = viewer.get(PARAMS)  # the right password does not help meanwhile
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 4
        assert "blocked for" in blocked.text
        wait_until(lambda: viewer.get(PARAMS).status_code == 200, timeout=30,
                   what="the block to end after its period")
    with fresh_herald.vapix(fresh_herald.accounts["admin"]) as admin:
        log = admin.get("/axis-cgi/accesslog.cgi").text
    assert "blocked 127.0.0.1 for 4 s: 6 failed logins within 60 s on the page" in log


def test_the_login_page_counts_and_blocks_too(fresh_herald):
    set_up_accounts(fresh_herald)
    set_policy(fresh_herald, DoSSiteCount="3", DoSSiteInterval="60", DoSBlockingPeriod="30")
    with fresh_herald.browser() as browser:
        for _ in range(4):
            reply = post_form(browser, "/login/", {"username": "root", "password": "guess"})
            assert reply.status_code == 200
        refused = post_form(browser, "/login/", {
            "username": "root", "password": fresh_herald.accounts["root"].password})
        assert refused.status_code == 429
        assert "Too many failed logins from this address" in refused.text


def test_with_blocking_off_nothing_is_blocked(fresh_herald):
    set_up_accounts(fresh_herald)
    set_policy(fresh_herald, ActivatePasswordThrottling="no", DoSPageCount="1",
               DoSPageInterval="60")
    assert set(wrong_passwords(fresh_herald, 5)) == {401}
    with fresh_herald.vapix(fresh_herald.accounts["viewer"]) as viewer:
        assert viewer.get(PARAMS).status_code == 200
