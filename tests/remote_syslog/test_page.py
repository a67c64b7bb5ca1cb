"""System > Logs > Remote system log on the whole stack: a server added on
the page gets the system log at a real rsyslogd and the page says it is
sending; a bad field is refused naming it, nothing stored; Remove stops it.
An administrator switches sending off (the servers kept, none sent to) and
on again (RemoteSyslog.Enabled)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from herald.system import contract
from tests.conftest import wait_until
from tests.remote_syslog.herald_process import HeraldProcess
from tests.remote_syslog.rsyslog import Receiver
from tests.webadmin.stack import HeraldStack, post_form

PAGE = "/system/logs/"
ACTION = "/system/logs/remote-syslog/"
FIELD = contract.SYSLOG_PREFIX + ".{}"


def test_a_server_added_on_the_page_gets_the_log(herald: HeraldStack, tmp_path: Path) -> None:
    receiver = Receiver(tmp_path / "rsyslog", contract.TCP)
    receiver.start()
    with herald.browser(herald.accounts["admin"]) as browser:
        try:
            assert "No server." in browser.get(PAGE).text
            added = post_form(browser, ACTION, {
                "action": "add", FIELD.format("Address"): "127.0.0.1",
                FIELD.format("Protocol"): "TCP", FIELD.format("Port"): str(receiver.port),
                FIELD.format("SyslogFormat"): "RFC5424", FIELD.format("Severity"): "info",
                FIELD.format("CACertificate"): ""}, token_from=PAGE)
            assert added.status_code == 302
            wait_until(lambda: "sending<br>" in browser.get(PAGE).text,
                       what="the page to say the server is sent to")
            # herald-system logs the connection; it is sent as any line is.
            wait_until(lambda: receiver.lines(f"127.0.0.1:{receiver.port} (TCP) connected"),
                       what="herald-system's line at the receiver")

            bad = post_form(browser, ACTION, {"action": "add", FIELD.format("Address"): "x",
                                              FIELD.format("Port"): "70000"}, token_from=PAGE)
            assert bad.status_code == 302
            page = browser.get(PAGE).text
            assert re.search(r"Nothing was saved: RemoteSyslog\.S\d\.Port: ", page)
            assert len(re.findall(r'name="server" value="(S\d+)"', page)) == 1

            post_form(browser, ACTION, {"action": "remove", "server": "S0"}, token_from=PAGE)
            page = browser.get(PAGE).text
            assert "Removed server S0." in page and "No server." in page
        finally:
            for name in re.findall(r'name="server" value="(S\d+)"', browser.get(PAGE).text):
                post_form(browser, ACTION, {"action": "remove", "server": name}, token_from=PAGE)
            receiver.stop()


def test_an_administrator_switches_sending_off_and_on(herald: HeraldStack, tmp_path: Path) -> None:
    receiver = Receiver(tmp_path / "rsyslog", contract.TCP)
    receiver.start()
    app = HeraldProcess("herald-web", herald.data_dir, herald.redis_url)
    with herald.browser(herald.accounts["admin"]) as browser:
        try:
            assert "Sending is switched on." in browser.get(PAGE).text
            post_form(browser, ACTION, {
                "action": "add", FIELD.format("Address"): "127.0.0.1",
                FIELD.format("Protocol"): "TCP", FIELD.format("Port"): str(receiver.port)},
                token_from=PAGE)
            wait_until(lambda: "sending<br>" in browser.get(PAGE).text,
                       what="the page to say the server is sent to")

            with herald.browser(herald.accounts["operator"]) as operator:
                assert operator.post(ACTION, data={"action": "disable"}).status_code == 403
            post_form(browser, ACTION, {"action": "disable"}, token_from=PAGE)
            page = browser.get(PAGE).text
            assert "Sending to the servers is switched off." in page
            assert "Sending is switched off: the servers are kept" in page
            assert 'name="server" value="S0"' in page and "switched off<br>" in page
            wait_until(lambda: not herald.bus().state()[contract.REMOTE_SYSLOG]["servers"],
                       what="herald-system to stop sending")

            post_form(browser, ACTION, {"action": "enable"}, token_from=PAGE)
            assert "Sending is switched on." in browser.get(PAGE).text
            line = f"after-on-{uuid.uuid4().hex[:12]}"

            def arrived() -> bool:  # logged again until herald-system follows the log anew
                app.log("error", line)
                return bool(receiver.lines(line))
            wait_until(arrived, interval=0.5, what="a line logged after on at the receiver")
        finally:
            post_form(browser, ACTION, {"action": "enable"}, token_from=PAGE)
            for name in re.findall(r'name="server" value="(S\d+)"', browser.get(PAGE).text):
                post_form(browser, ACTION, {"action": "remove", "server": name}, token_from=PAGE)
            app.stop()
            receiver.stop()
