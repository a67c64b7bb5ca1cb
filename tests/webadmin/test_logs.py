"""System log, access log and the server report, from VAPIX and System > Logs."""

from __future__ import annotations

import datetime
import io
import tarfile
import zipfile

from herald.system import contract as system
from tests.journal import BOOT_ID, journalctl, record, write_journal
from tests.webadmin.fixtures import set_up_accounts

SECRET = "Sup3r-secret-v3"


def test_systemlog_cgi_shows_the_log_and_filters_it(herald):
    with herald.vapix(herald.accounts["admin"]) as admin:
        whole = admin.get("/axis-cgi/systemlog.cgi")
        assert whole.headers["content-type"].startswith("text/plain")
        assert "herald-web" in whole.text and "root password set" in whole.text
        filtered = admin.get("/axis-cgi/systemlog.cgi", params={"text": "ACCOUNT operator1"}).text
    assert filtered.splitlines() and all("account operator1" in line
                                         for line in filtered.splitlines())


def test_the_server_report_tells_support_everything_but_secrets(herald):
    with herald.vapix(herald.accounts["admin"]) as admin:
        admin.post("/axis-cgi/param.cgi", data={"action": "update",
                                                "SNMP.InitialUserPasswd": SECRET})
        try:
            report = admin.get("/axis-cgi/serverreport.cgi", params={"mode": "text"})
            archive = admin.get("/axis-cgi/serverreport.cgi", params={"mode": "zip"})
        finally:
            admin.post("/axis-cgi/param.cgi", data={"action": "update",
                                                    "SNMP.InitialUserPasswd": ""})
    serial = (herald.data_dir / "identity" / "serial").read_text().strip()
    assert report.status_code == 200
    for part in ("Herald server report", f"Serial number: {serial}", "root.SIP.Port=5060",
                 "----- Access log -----", "----- System log (latest lines) -----",
                 "herald-worker"):
        assert part in report.text, part
    assert "root.SNMP.InitialUserPasswd=\n" in report.text
    assert archive.headers["content-type"] == "application/zip"
    assert f"serverreport_{serial}_" in archive.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert sorted(opened.namelist()) == ["access.log", "serverreport.txt", "system.log"]
        for name in opened.namelist():
            assert SECRET not in opened.read(name).decode()
    assert SECRET not in report.text
    assert not list((herald.data_dir / "reports").iterdir()), "no report is left behind"


def test_the_logs_page_shows_logs_and_hands_out_the_report(herald):
    with herald.browser(herald.accounts["admin"]) as browser:
        page = browser.get("/system/logs/").text
        for link in ("/system/logs/system/", "/system/logs/access/",
                     "/system/logs/server-report/", "/system/logs/server-report.zip"):
            assert f'href="{link}"' in page
        assert "herald-web" in browser.get("/system/logs/system/").text
        assert "Herald server report" in browser.get("/system/logs/server-report/").text
        download = browser.get("/system/logs/server-report.zip")
        assert download.headers["content-disposition"].startswith("attachment;")
        assert zipfile.is_zipfile(io.BytesIO(download.content))
        assert browser.get("/system/logs/nonsense/").status_code == 404


def crash_report_system_log(archive: bytes) -> str:
    """The system log a user finds in the crash report (`tar xzf debug.tgz system.log`)."""
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as opened:
        return opened.extractfile("system.log").read().decode()


def test_the_crash_report_holds_the_report_logs_and_what_there_is_of_core_dumps(
        herald_factory, tmp_path):
    journal = tmp_path / "journal"  # none yet: journalctl fails
    dumps = tmp_path / "coredump"  # none yet
    stack = herald_factory({"HERALD_JOURNALCTL": journalctl(journal),
                            "HERALD_COREDUMP_DIR": str(dumps)})
    set_up_accounts(stack)
    with stack.browser(stack.accounts["admin"]) as browser:
        assert 'href="/system/logs/debug.tgz"' in browser.get("/system/logs/").text
        page = browser.get("/system/logs/debug.tgz")
    with stack.vapix(stack.accounts["admin"]) as admin:
        cgi = admin.get("/axis-cgi/debug/debug.tgz")
    for download in (page, cgi):
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/gzip"
        assert download.headers["content-disposition"] == 'attachment; filename="debug.tgz"'
        with tarfile.open(fileobj=io.BytesIO(download.content), mode="r:gz") as archive:
            names = archive.getnames()
            for member in ("serverreport.txt", "system.log", "logs/system.log",
                           "logs/access.log", "proc/meminfo", "proc/net/dev", "coredumps.txt"):
                assert member in names, (member, names)
            report = archive.extractfile("serverreport.txt").read().decode()
            assert "Herald server report" in report and "----- Access log -----" in report
            assert "herald-web" in archive.extractfile("logs/system.log").read().decode()
            # No systemd-coredump dumps: the archive says so.
            assert archive.extractfile("coredumps.txt").read().decode() == (
                f"No core dumps: systemd-coredump has none in {dumps}.\n")
            assert not [n for n in names if n.startswith("coredump/")]
        # Without the journal, Herald's own lines, after a line that says so.
        without = crash_report_system_log(download.content).splitlines()
        assert without[0].startswith("(The kernel's and the system services' lines are missing: ")
        assert str(journal) in without[0] and "root password set" in "\n".join(without)

    booted = datetime.datetime.now().astimezone() - datetime.timedelta(hours=1)
    write_journal(journal, [record(booted, "eth0: link becomes ready", _TRANSPORT="kernel",
                                   PRIORITY="6", SYSLOG_FACILITY="0", SYSLOG_IDENTIFIER="kernel")])
    dumps.mkdir()
    dump = dumps / f"core.herald-core.999.{BOOT_ID}.1234.1700000000000000.zst"
    dump.write_bytes(b"\x28\xb5\x2f\xfd core")
    with stack.vapix(stack.accounts["admin"]) as admin:
        crash = admin.get("/axis-cgi/debug/debug.tgz").content
    lines = crash_report_system_log(crash).splitlines()
    assert lines[0].endswith(" speaker kernel: info eth0: link becomes ready"), lines[:3]
    assert "root password set" in "\n".join(lines)
    # The dump itself; the host has no coredumpctl to read its journal record
    # (coredump/NAME.info.txt on a device): the note says so.
    with tarfile.open(fileobj=io.BytesIO(crash), mode="r:gz") as archive:
        assert archive.extractfile(f"coredump/{dump.name}").read() == dump.read_bytes()
        assert archive.extractfile("coredumps.txt").read().decode() == (
            f"coredump/{dump.name}: 9 bytes; no coredumpctl info "
            "(this system has no coredumpctl)\n")
        assert f"coredump/{dump.name}.info.txt" not in archive.getnames()
    assert not list((stack.data_dir / "reports").iterdir()), "no report is left behind"


def test_herald_system_reads_the_records_of_core_dump_files_only(herald):
    for name in ("../../../etc/shadow", "/etc/shadow", ".."):
        assert herald.bus().call(system.SERVICE, system.COREDUMP_INFO, name=name) == {
            "ok": False, "message": f"{name!r} is not the name of a core dump file"}


def test_only_administrators_get_the_crash_report(herald):
    for role in ("viewer", "operator"):
        with herald.browser(herald.accounts[role]) as browser:
            assert browser.get("/system/logs/debug.tgz").status_code == 403
        with herald.vapix(herald.accounts[role]) as vapix:
            assert vapix.get("/axis-cgi/debug/debug.tgz").status_code == 403
    with herald.browser() as anonymous:
        assert anonymous.get("/system/logs/debug.tgz").headers["location"].startswith("/login/")


def test_without_a_worker_the_report_says_so_at_once(fresh_herald):
    stack = fresh_herald
    set_up_accounts(stack)
    worker = stack.processes.pop("worker")
    worker.terminate()
    worker.wait(timeout=30)
    with stack.vapix(stack.accounts["admin"]) as admin:
        cgi = admin.get("/axis-cgi/serverreport.cgi")
        assert cgi.status_code == 503
        assert cgi.text.startswith("Error: the server report cannot be made: the worker")
    with stack.browser(stack.accounts["admin"]) as browser:
        page = browser.get("/system/logs/server-report/")
        assert page.status_code == 503 and "the worker that does this is not running" in page.text


def test_setting_changes_are_logged_with_who_made_them_but_not_secrets(herald):
    with herald.vapix(herald.accounts["admin"]) as admin:
        assert admin.post("/axis-cgi/param.cgi", data={
            "action": "update", "SIP.Port": "5061",
            "SNMP.InitialUserPasswd": SECRET}).text == "OK\n"
        admin.post("/axis-cgi/param.cgi", data={
            "action": "update", "SIP.Port": "5060", "SNMP.InitialUserPasswd": ""})
        log = admin.get("/axis-cgi/systemlog.cgi", params={"text": "settings changed"}).text
    assert "settings changed by admin1: SIP.Port, SNMP.InitialUserPasswd" in log
    assert SECRET not in log
