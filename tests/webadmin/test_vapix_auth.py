"""How VAPIX clients authenticate: HTTP Digest as Axis devices do it, Basic
only over HTTPS, every failure in the access log."""

from __future__ import annotations

import redis

from tests.conftest import wait_until
from tests.webadmin.digest_client import PARAMS, challenge_fields, digest_header
from tests.webadmin.stack import Account


def test_the_challenge_is_digest_md5_with_qop_auth_in_the_device_realm(herald):
    with herald.vapix() as client:
        fields = challenge_fields(client.get(PARAMS))
    with herald.vapix(herald.accounts["viewer"]) as client:
        serial = client.get("/axis-cgi/param.cgi?action=list&group=Properties.System.SerialNumber")
    assert fields["realm"] == "AXIS_" + serial.text.strip().split("=")[1]
    assert fields["algorithm"] == "MD5" and fields["qop"] == "auth"
    assert fields["stale"] == "FALSE"


def test_digest_with_and_without_qop_gets_in(herald):
    viewer = herald.accounts["viewer"]
    with herald.vapix() as client:
        for qop in (True, False):
            challenge = challenge_fields(client.get(PARAMS))
            reply = client.get(PARAMS, headers={
                "Authorization": digest_header(viewer, challenge, PARAMS, qop=qop)})
            assert reply.status_code == 200, (qop, reply.text)
            assert "root.Brand.Brand=Herald" in reply.text


def test_a_request_without_qop_is_not_accepted_twice(herald):
    """Without qop there is no counter: a repeated request is told its nonce is
    stale (so a client asks again with a fresh one), and a replay gets nowhere."""
    viewer = herald.accounts["viewer"]
    with herald.vapix() as client:
        challenge = challenge_fields(client.get(PARAMS))
        first = digest_header(viewer, challenge, PARAMS, qop=False)
        assert client.get(PARAMS, headers={"Authorization": first}).status_code == 200
        again = client.get(PARAMS, headers={"Authorization": first})
        fresh = challenge_fields(again)
        assert fresh["stale"] == "TRUE" and fresh["nonce"] != challenge["nonce"]
        retried = digest_header(viewer, fresh, PARAMS, qop=False)
        assert client.get(PARAMS, headers={"Authorization": retried}).status_code == 200


def test_the_replay_guard_keeps_no_more_than_a_digest_per_request(herald):
    """A client cannot fill Redis through the cnonce it sends: an oversized one
    is refused, and what is kept per request is the same size whatever it sent."""
    viewer = herald.accounts["viewer"]
    guard = redis.Redis.from_url(herald.redis_url)
    with herald.vapix() as client:
        challenge = challenge_fields(client.get(PARAMS))
        huge = digest_header(viewer, challenge, PARAMS, cnonce="c" * 10_000)  # < 32 KiB of headers
        assert client.get(PARAMS, headers={"Authorization": huge}).status_code == 401
        for cnonce in ("a", "b" * 256):
            header = digest_header(viewer, challenge, PARAMS, cnonce=cnonce)
            assert client.get(PARAMS, headers={"Authorization": header}).status_code == 200
    keys = list(guard.scan_iter("herald:digest:seen:*"))  # the guard's keys (digest.py)
    assert keys and max(len(k) + guard.memory_usage(k) for k in keys) < 300


def test_bad_digests_are_refused_and_logged(herald):
    viewer = herald.accounts["viewer"]
    with herald.vapix() as client:
        challenge = challenge_fields(client.get(PARAMS))
        good = digest_header(viewer, challenge, PARAMS)
        assert client.get(PARAMS, headers={"Authorization": good}).status_code == 200
        refused = {
            "replayed": good,
            "wrong password": digest_header(viewer, challenge, PARAMS, nc="00000002",
                                            password="not-the-password"),
            "another URI": digest_header(viewer, challenge, "/axis-cgi/param.cgi", nc="00000003"),
            "foreign nonce": digest_header(viewer, {**challenge, "nonce": "bm90LW91cnM"}, PARAMS),
            "unknown account": digest_header(Account("ghost", "x", "viewer"), challenge, PARAMS),
            "garbage": "Digest this is not a digest",
        }
        for what, header in refused.items():
            reply = client.get(PARAMS, headers={"Authorization": header})
            assert reply.status_code == 401, what
            challenge_fields(reply)
    with herald.vapix(herald.accounts["admin"]) as client:
        log = wait_until(lambda: (t := client.get("/axis-cgi/accesslog.cgi").text)
                         and "ghost" in t and t, what="failures in the access log")
    assert "viewer1" in log and "wrong password" in log and "replayed" in log


def test_basic_is_accepted_over_https_only(herald):
    viewer = herald.accounts["viewer"]
    with herald.vapix(viewer, basic=True) as client:
        reply = client.get(PARAMS)
        assert reply.status_code == 401
        assert challenge_fields(reply)
    with herald.vapix(viewer, https=True, basic=True) as client:
        assert client.get(PARAMS).status_code == 200
    with herald.vapix(Account("viewer1", "wrong", "viewer"), https=True, basic=True) as c:
        assert c.get(PARAMS).status_code == 401
    with herald.vapix(viewer, https=True) as client:
        assert client.get(PARAMS).status_code == 200  # and Digest works over HTTPS too


def test_an_account_below_the_level_gets_403(herald):
    with herald.vapix(herald.accounts["operator"]) as client:
        assert client.get("/axis-cgi/systemlog.cgi").status_code == 403
        assert client.get("/axis-cgi/pwdgrp.cgi?action=get").status_code == 403
