"""View the system log and systemlog.cgi hold the journal: the kernel's and
the system services' lines among Herald's own, in time order, newest last,
in the same line format; Herald's lines, which its daemons also write to the
journal, shown once. herald-system reads the journal (here, a journal file
of the test's records, through the real journalctl)."""

from __future__ import annotations

import datetime
import itertools

from herald.system.syslog_message import LINE, written
from tests.conftest import wait_until
from tests.journal import journalctl, record, write_journal
from tests.webadmin.fixtures import set_up_accounts

STAMP = "%Y-%m-%dT%H:%M:%S%z"


def a_line_before_a_later_second(lines: list[str]) -> tuple[str, datetime.datetime] | None:
    """A line of Herald's log file, there once, that no line before it is
    later than, and the next line of a later second: a journal line half a
    second after it goes between them."""
    latest = None
    for line, following in itertools.pairwise(lines):
        found, after = LINE.fullmatch(line), LINE.fullmatch(following)
        if not found or not after:
            continue
        when = written(found["stamp"])
        latest = max(latest or when, when)
        if when == latest and written(after["stamp"]) > when and lines.count(line) == 1:
            return line, when
    return None


def herald_lines_of_two_seconds(stack) -> tuple[str, datetime.datetime]:
    """Such a line: the log as it is may have none (all its lines written in
    one second), so Herald writes more (an account made) until it has."""
    log, made = stack.data_dir / "logs" / "system.log", itertools.count(1)

    def found() -> tuple[str, datetime.datetime] | None:
        pair = a_line_before_a_later_second(log.read_text().splitlines())
        if pair is None:
            with stack.vapix(stack.accounts["root"]) as root:
                reply = root.post("/axis-cgi/pwdgrp.cgi", data={
                    "action": "add", "user": f"extra{next(made)}", "pwd": "Extra line 1!",
                    "grp": "users", "sgrp": "viewer"})
                assert reply.status_code == 200, reply.text
        return pair

    return wait_until(found, timeout=30, interval=0.6, what="two seconds in Herald's log")


def test_the_system_log_holds_the_kernel_and_services_among_heralds_lines(
        herald_factory, tmp_path):
    journal = tmp_path / "journal"
    stack = herald_factory({"HERALD_JOURNALCTL": journalctl(journal)})
    set_up_accounts(stack)
    herald_line, then = herald_lines_of_two_seconds(stack)
    booted = then - datetime.timedelta(hours=1)
    sshd_time = then + datetime.timedelta(seconds=0.5)
    later = datetime.datetime.now().astimezone() + datetime.timedelta(hours=1)
    write_journal(journal, [
        record(booted, "eth0: link becomes ready", _TRANSPORT="kernel", PRIORITY="6",
               SYSLOG_FACILITY="0", SYSLOG_IDENTIFIER="kernel"),
        record(then, herald_line, _TRANSPORT="stdout", PRIORITY="6",
               SYSLOG_IDENTIFIER="herald-web", _SYSTEMD_UNIT="herald-web.service"),
        record(sshd_time, "Server listening on 0.0.0.0 port 22.", _TRANSPORT="syslog",
               PRIORITY="6", SYSLOG_FACILITY="4", SYSLOG_IDENTIFIER="sshd", SYSLOG_PID="250"),
        record(later, "System clock wrong by 3600.000000 seconds", _TRANSPORT="syslog",
               PRIORITY="4", SYSLOG_FACILITY="3", SYSLOG_IDENTIFIER="chronyd", SYSLOG_PID="312"),
    ])
    kernel = f"{booted.astimezone():{STAMP}} speaker kernel: info eth0: link becomes ready"
    sshd = (f"{sshd_time.astimezone():{STAMP}} speaker sshd[250]: info "
            "Server listening on 0.0.0.0 port 22.")
    chrony = (f"{later.astimezone():{STAMP}} speaker chronyd[312]: warning "
              "System clock wrong by 3600.000000 seconds")

    with stack.vapix(stack.accounts["admin"]) as admin:
        lines = admin.get("/axis-cgi/systemlog.cgi").text.splitlines()
        assert admin.get("/axis-cgi/systemlog.cgi", params={"text": "SERVER LISTENING"}
                         ).text == sshd + "\n"
        assert admin.get("/axis-cgi/systemlog.cgi", params={"text": "x" * 201}).status_code == 400
        report = admin.get("/axis-cgi/serverreport.cgi", params={"mode": "text"}).text
    assert lines[0] == kernel, lines[:3]
    assert lines.count(herald_line) == 1
    assert lines[lines.index(herald_line) + 1] == sshd
    assert lines[-1] == chrony, lines[-3:]
    assert "root password set" in "\n".join(lines)
    assert chrony in report.splitlines()

    with stack.browser(stack.accounts["admin"]) as browser:
        page = browser.get("/system/logs/system/").text
    assert page.index(kernel) < page.index(herald_line) < page.index(sshd) < page.index(chrony)

    for role in ("operator", "viewer"):
        with stack.vapix(stack.accounts[role]) as vapix:
            assert vapix.get("/axis-cgi/systemlog.cgi").status_code == 403
        with stack.browser(stack.accounts[role]) as browser:
            assert browser.get("/system/logs/system/").status_code == 403
