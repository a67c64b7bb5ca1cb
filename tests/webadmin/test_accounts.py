"""Accounts as the manual defines them, from System > Accounts and from
pwdgrp.cgi: names, passwords, roles, the limit of 100, root's standing."""

from __future__ import annotations

import pytest

from tests.webadmin.stack import Account, login, post_form

BAD_INPUT = "Error: consult the system log file.\n"


@pytest.fixture
def admin(herald):
    with herald.vapix(herald.accounts["root"]) as client:
        yield client


def pwdgrp(client, **args) -> str:
    reply = client.post("/axis-cgi/pwdgrp.cgi", data=args)
    assert reply.status_code == 200
    return reply.text


def groups(client) -> dict[str, list[str]]:
    lines = pwdgrp(client, action="get").splitlines()
    return {k: [n for n in v.strip('"').split(",") if n] for k, v in
            (line.split("=", 1) for line in lines)}


def can_log_in(herald, account) -> bool:
    with herald.vapix(account) as client:
        return client.get("/axis-cgi/usergroup.cgi").status_code == 200


def test_get_lists_each_role_in_the_groups_it_belongs_to(admin):
    found = groups(admin)
    assert found["admin"] == ["root", "admin1"]
    assert found["operator"] == ["root", "admin1", "operator1"]
    assert found["viewer"] == ["root", "admin1", "operator1", "viewer1"]
    assert found["ptz"] == ["root"]  # the initial admin: admin and ptz
    assert set(found["digusers"]) == {"root", "admin1", "operator1", "viewer1"}


def test_bad_names_passwords_and_roles_are_refused_and_create_nothing(herald, admin):
    refused = {
        "name too long": {"user": "a" * 15, "pwd": "pass", "sgrp": "viewer"},
        "name with a symbol": {"user": "bad.name", "pwd": "pass", "sgrp": "viewer"},
        "empty password": {"user": "newuser", "pwd": "", "sgrp": "viewer"},
        "password of 65": {"user": "newuser", "pwd": "p" * 65, "sgrp": "viewer"},
        "non-ASCII password": {"user": "newuser", "pwd": "pässword", "sgrp": "viewer"},
        "unknown role": {"user": "newuser", "pwd": "pass", "sgrp": "viewer:superuser"},
        "name taken (any case)": {"user": "ADMIN1", "pwd": "pass", "sgrp": "viewer"},
        "comment of 100,000": {"user": "newuser", "pwd": "pass", "sgrp": "viewer",
                               "comment": "c" * 100_000},
    }
    before = groups(admin)
    for what, args in refused.items():
        assert pwdgrp(admin, action="add", grp="users", **args) == BAD_INPUT, what
    assert groups(admin) == before
    assert pwdgrp(admin, action="explode") == "Error: malformed action operation, explode.\n"
    assert pwdgrp(admin) == "Error: action operation type.\n"
    assert pwdgrp(admin, action="update", user="viewer1", comment="c" * 65) == BAD_INPUT
    log = admin.get("/axis-cgi/systemlog.cgi", params={"text": "pwdgrp.cgi add"}).text
    assert "1 to 14 letters" in log and "printable ASCII" in log
    assert "A comment is at most 64 characters" in log


def test_an_account_lives_changes_and_goes(herald, admin):
    temp = Account("temp1", "First-pass", "viewer")
    assert pwdgrp(admin, action="add", user=temp.name, pwd=temp.password, grp="users",
                  sgrp="viewer", comment="lobby") == "Created account temp1.\n"
    try:
        assert can_log_in(herald, temp)
        with herald.vapix(temp) as client:
            assert client.get("/axis-cgi/usergroup.cgi").text == "temp1\nviewer\n"
        assert pwdgrp(admin, action="update", user="temp1", pwd="Second-pass",
                      sgrp="viewer:operator") == "Modified account temp1.\n"
        assert not can_log_in(herald, temp), "the old password no longer works"
        moved = Account("temp1", "Second-pass", "operator")
        with herald.vapix(moved) as client:
            assert client.get("/axis-cgi/usergroup.cgi").text == "temp1\noperator viewer\n"
    finally:
        assert pwdgrp(admin, action="remove", user="temp1") == "Removed account temp1.\n"
    assert not can_log_in(herald, Account("temp1", "Second-pass", "operator"))
    assert pwdgrp(admin, action="remove", user="temp1") == BAD_INPUT


def test_root_stays_an_administrator_and_cannot_be_removed(herald, admin):
    assert pwdgrp(admin, action="remove", user="root") == BAD_INPUT
    assert pwdgrp(admin, action="update", user="root", sgrp="viewer") == BAD_INPUT
    assert groups(admin)["admin"][0] == "root"
    with herald.browser(herald.accounts["root"]) as client:
        post_form(client, "/system/accounts/root/delete/", {}, token_from="/system/accounts/")
        page = client.get("/system/accounts/").text
    assert "The root account cannot be deleted." in page


@pytest.mark.slow
def test_the_device_holds_at_most_100_accounts(herald, admin):
    present = len(groups(admin)["digusers"])
    names = [f"bulk{i}" for i in range(100 - present)]
    try:
        for name in names:
            assert pwdgrp(admin, action="add", user=name, pwd="x", grp="users",
                          sgrp="viewer") == f"Created account {name}.\n"
        assert pwdgrp(admin, action="add", user="onetoomany", pwd="x", grp="users",
                      sgrp="viewer") == BAD_INPUT
        assert "onetoomany" not in groups(admin)["digusers"]
    finally:
        for name in names:
            pwdgrp(admin, action="remove", user=name)
    assert len(groups(admin)["digusers"]) == present


def test_the_accounts_page_adds_updates_and_deletes(herald):
    with herald.browser(herald.accounts["admin"]) as client:
        new = {"name": "desk1", "password": "Desk-pass-1", "role": "operator"}
        reply = post_form(client, "/system/accounts/", {**new, "repeat": "Desk-pass-2"})
        assert reply.status_code == 200 and "The passwords are not the same." in reply.text
        reply = post_form(client, "/system/accounts/", {**new, "repeat": "Desk-pass-1"})
        assert reply.status_code == 302
        assert "Account desk1 added." in client.get("/system/accounts/").text
        desk = Account("desk1", "Desk-pass-1", "operator")
        try:
            with herald.browser(desk) as desk_client:
                assert desk_client.get("/status/").status_code == 200
                reply = post_form(client, "/system/accounts/desk1/", {
                    "password": "Desk-pass-9", "repeat": "Desk-pass-9", "role": "viewer"})
                assert reply.status_code == 302
                # A changed password ends the account's other sessions.
                assert desk_client.get("/status/").headers["location"].startswith("/login/")
            assert can_log_in(herald, Account("desk1", "Desk-pass-9", "viewer"))
        finally:
            post_form(client, "/system/accounts/desk1/delete/", {},
                      token_from="/system/accounts/")
        page = client.get("/system/accounts/").text
        assert "Account desk1 deleted." in page and "<td>desk1</td>" not in page


def test_failed_logins_go_to_the_access_log(herald):
    with herald.browser() as client:
        reply = post_form(client, "/login/", {"username": "viewer1", "password": "guess"})
        assert reply.status_code == 200
        login(client, herald.accounts["viewer"])
    with herald.vapix(herald.accounts["admin"]) as admin:
        log = admin.get("/axis-cgi/accesslog.cgi").text
    assert any("viewer1" in line and "/login/" in line and "wrong password" in line
               for line in log.splitlines())


def test_the_anonymous_viewing_switch(herald):
    with herald.browser(herald.accounts["admin"]) as admin, herald.browser() as stranger:
        assert stranger.get("/status/").headers["location"].startswith("/login/")
        post_form(admin, "/system/accounts/anonymous/", {"anonymous_viewing": "on"},
                  token_from="/system/accounts/")
        try:
            assert stranger.get("/status/").status_code == 200
            assert stranger.get("/system/accounts/").headers["location"].startswith("/login/")
        finally:
            post_form(admin, "/system/accounts/anonymous/", {}, token_from="/system/accounts/")
        assert stranger.get("/status/").headers["location"].startswith("/login/")


def test_usergroup_names_root_as_axis_devices_do(herald):
    with herald.vapix(herald.accounts["root"]) as root:
        assert root.get("/axis-cgi/usergroup.cgi").text == "root\nroot admin operator ptz viewer\n"
