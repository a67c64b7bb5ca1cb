"""System > Logs > Network trace and VAPIX debug/debug.tgz?cmd=pcapdump: real
tcpdump run by the real worker (the host tests run as root), its progress on
the bus and the page, one trace at a time, the file to download (and in the
crash report)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from herald_web.system import trace
from tests.conftest import wait_until
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import HeraldStack, post_form

LOGS = "/system/logs/"
START = "/system/logs/trace/start/"
STOP = "/system/logs/trace/stop/"
SHORTEST = min(trace.DURATIONS)
STAGE = re.compile(r'data-trace-stage="(\w+)"')


@pytest.fixture(scope="module", autouse=True)
def tcpdump() -> str:
    return shutil.which("tcpdump") or pytest.fail("tcpdump missing: run scripts/setup")


def latest(stack: HeraldStack) -> dict | None:
    return stack.bus().state().get(trace.TRACE)


def stage_on_page(client: httpx.Client) -> str | None:
    found = STAGE.search(client.get(LOGS).text)
    return found and found.group(1)


@pytest.fixture
def admin(herald) -> Iterator[httpx.Client]:
    """The administrator's browser; no trace is left running after the test."""
    with herald.browser(herald.accounts["admin"]) as client:
        yield client
        if stage_on_page(client) in trace.RUNNING:
            post_form(client, STOP, {}, token_from=LOGS)
        wait_until(lambda: stage_on_page(client) not in trace.RUNNING, timeout=30,
                   what="the trace to end")


def traffic(stack: HeraldStack) -> None:
    """Packets to the web admin's port on the loopback interface, each on a
    connection of its own."""
    with httpx.Client(base_url=stack.http_url, timeout=10) as fresh:
        fresh.get("/healthz")


def packets_to(pcap: bytes, port: int, where: Path) -> list[str]:
    """The lines `tcpdump -r` prints for the packets to `port` in `pcap`."""
    where.write_bytes(pcap)
    read = subprocess.run(["tcpdump", "-nn", "-r", str(where), "tcp", "dst", "port", str(port)],
                          capture_output=True, text=True, timeout=60)
    assert read.returncode == 0, read.stderr
    return read.stdout.splitlines()


def port(stack: HeraldStack) -> int:
    return int(stack.http_url.rsplit(":", 1)[1])


def test_a_trace_runs_its_time_alone_and_its_pcap_holds_the_traffic(herald, admin, tmp_path):
    assert post_form(admin, START, {"duration": str(SHORTEST)}, token_from=LOGS).status_code == 302
    wait_until(lambda: stage_on_page(admin) == trace.CAPTURING, timeout=30,
               what="tcpdump to listen")
    first = latest(herald)["id"]

    again = post_form(admin, START, {"duration": str(SHORTEST)}, token_from=LOGS)
    assert again.status_code == 409
    assert "a network trace is already running" in again.text
    with herald.vapix(herald.accounts["admin"]) as vapix:
        refused = vapix.get("/axis-cgi/debug/debug.tgz",
                            params={"cmd": "pcapdump", "duration": SHORTEST})
    assert refused.status_code == 409 and "already running" in refused.text

    def moved_on() -> bool:
        traffic(herald)
        return latest(herald)["elapsed"] > 0 and latest(herald)["bytes"] > 0

    wait_until(moved_on, timeout=30, interval=0.5, what="the trace's progress on the bus")
    assert 'progress max="100" value="' in admin.get(LOGS).text

    def done() -> bool:
        traffic(herald)
        return stage_on_page(admin) == trace.DONE

    wait_until(done, timeout=SHORTEST + 30, interval=0.5, what="the trace to end by itself")
    ended = latest(herald)
    assert ended["id"] == first and ended["stage"] == trace.DONE and ended["message"] == ""
    assert SHORTEST - 1 <= ended["elapsed"] < SHORTEST + 5  # tcpdump -G counts whole seconds
    assert "The trace is ready" in admin.get(LOGS).text
    download = admin.get("/system/logs/trace.pcap")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.tcpdump.pcap"
    assert re.search(r'filename="trace_\w+_\d{14}\.pcap"', download.headers["content-disposition"])
    assert len(download.content) == ended["bytes"]
    assert packets_to(download.content, port(herald), tmp_path / "trace.pcap")


def test_stopping_early_keeps_the_capture_and_vapix_gets_it(herald, admin, tmp_path):
    answer: dict[str, httpx.Response] = {}

    def pcapdump() -> None:
        with herald.vapix(herald.accounts["admin"]) as vapix:
            vapix.timeout = httpx.Timeout(SHORTEST + 60)
            answer["reply"] = vapix.get("/axis-cgi/debug/debug.tgz", params={
                "cmd": "pcapdump", "duration": SHORTEST, "interface": "lo"})

    asking = threading.Thread(target=pcapdump)
    asking.start()
    try:
        wait_until(lambda: stage_on_page(admin) == trace.CAPTURING, timeout=30,
                   what="tcpdump to listen")
        assert latest(herald)["interface"] == "lo"
        wait_until(lambda: traffic(herald) or latest(herald)["bytes"] > 0, interval=0.5,
                   what="packets in the file")
        assert post_form(admin, STOP, {}, token_from=LOGS).status_code == 302
    finally:
        asking.join(SHORTEST + 60)
    ended = latest(herald)
    assert ended["stage"] == trace.DONE and ended["elapsed"] < SHORTEST
    assert "Stopped early" in ended["message"]
    reply = answer["reply"]
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/vnd.tcpdump.pcap"
    assert packets_to(reply.content, port(herald), tmp_path / "early.pcap")
    assert reply.content == admin.get("/system/logs/trace.pcap").content
    with tarfile.open(fileobj=io.BytesIO(admin.get("/system/logs/debug.tgz").content)) as crash:
        assert crash.extractfile(f"trace/{ended['filename']}").read() == reply.content

    nothing = post_form(admin, STOP, {}, token_from=LOGS)
    assert nothing.status_code == 409 and "no network trace is running" in nothing.text


@pytest.mark.parametrize("duration", ["45", "0", "-30", "abc", "", "30.5", "1" * 40])
def test_a_bad_trace_time_is_refused_and_starts_nothing(herald, admin, duration):
    before = latest(herald)
    reply = post_form(admin, START, {"duration": duration}, token_from=LOGS)
    assert reply.status_code == 400
    assert "The network trace did not start: the trace time must be one of 30, 60" in reply.text
    with herald.vapix(herald.accounts["admin"]) as vapix:
        cgi = vapix.get("/axis-cgi/debug/debug.tgz", params={"cmd": "pcapdump",
                                                             "duration": duration})
    assert cgi.status_code == 400 and "the trace time must be one of" in cgi.text
    assert latest(herald) == before


def test_a_bad_interface_or_command_is_refused(herald):
    before = latest(herald)
    with herald.vapix(herald.accounts["admin"]) as vapix:
        interface = vapix.get("/axis-cgi/debug/debug.tgz", params={
            "cmd": "pcapdump", "duration": SHORTEST, "interface": "../eth9"})
        listen = vapix.get("/axis-cgi/debug/debug.tgz", params={"cmd": "listen"})
    assert interface.status_code == 400 and "interface must be any or one of" in interface.text
    assert listen.status_code == 400 and "cmd must be pcapdump or absent" in listen.text
    assert latest(herald) == before


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_administrators_trace(herald, role):
    before = latest(herald)
    with herald.browser(herald.accounts[role]) as browser:
        token = browser.cookies.get("csrftoken", "")
        start = browser.post(START, data={"duration": str(SHORTEST), "csrfmiddlewaretoken": token},
                             headers={"X-CSRFToken": token})
        assert start.status_code == 403
        assert browser.get(LOGS).status_code == 403
        assert browser.get("/system/logs/trace.pcap").status_code == 403
    with herald.vapix(herald.accounts[role]) as vapix:
        assert vapix.get("/axis-cgi/debug/debug.tgz", params={
            "cmd": "pcapdump", "duration": SHORTEST}).status_code == 403
    assert latest(herald) == before


def test_without_tcpdump_the_page_says_so(herald_factory, tmp_path):
    bare = tmp_path / "bin"  # an empty PATH: no tcpdump
    bare.mkdir()
    stack = herald_factory({"PATH": str(bare)})
    set_up_accounts(stack)
    with stack.browser(stack.accounts["admin"]) as browser:
        reply = post_form(browser, START, {"duration": str(SHORTEST)}, token_from=LOGS)
    assert reply.status_code == 409
    assert "tcpdump is not installed on this device" in reply.text
    assert latest(stack) is None


def test_a_tcpdump_without_the_capabilities_is_reported_as_not_permitted(tmp_path):
    """The message the page shows, from what real tcpdump says without CAP_NET_RAW."""
    denied = subprocess.run(
        ["setpriv", "--inh-caps=-all", "--bounding-set=-net_raw,-net_admin",
         "tcpdump", "-i", "any", "-c", "1", "-w", str(tmp_path / "x.pcap")],
        capture_output=True, text=True, timeout=30)
    assert denied.returncode != 0, denied.stderr
    message = trace._failure(denied.stderr)
    assert message.startswith("tcpdump is not permitted to capture here (")
    assert "CAP_NET_RAW and CAP_NET_ADMIN" in message


def test_the_page_follows_the_trace_live(herald, admin):
    """The Logs page's websocket sends the trace's section at each change."""
    cookie = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
    url = herald.http_url.replace("http://", "ws://") + "/ws/system/logs/trace/"
    with connect(url, additional_headers={"Cookie": cookie}, open_timeout=30) as socket:

        def next_stage(wanted: str) -> None:
            deadline = time.monotonic() + 30
            while (left := deadline - time.monotonic()) > 0:
                section = json.loads(socket.recv(timeout=left))["sections"]["trace"]
                if STAGE.search(section) and STAGE.search(section).group(1) == wanted:
                    return
            pytest.fail(f"the page's websocket never said {wanted!r}")

        post_form(admin, START, {"duration": str(SHORTEST)}, token_from=LOGS)
        next_stage(trace.CAPTURING)
        post_form(admin, STOP, {}, token_from=LOGS)
        next_stage(trace.DONE)
