"""The Status page's websocket: sections follow the bus and the parameter
tree live; a socket loses its right to exist when its access is withdrawn."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from herald.recordings.contract import ONGOING, Ongoing, Recording
from tests.webadmin.stack import login


def open_status(herald, client=None):
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items()) if client else ""
    return connect(herald.http_url.replace("http://", "ws://") + "/ws/status/",
                   additional_headers={"Cookie": cookie} if cookie else None, open_timeout=30)


def next_sections(socket, until, timeout=30.0) -> dict[str, str]:
    """Read updates until `until(sections)` holds for the merged sections."""
    seen: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while not until(seen):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"no such update within {timeout:.0f} s; saw {sorted(seen)}")
        seen.update(json.loads(socket.recv(timeout=remaining))["sections"])
    return seen


def test_sections_follow_the_bus_and_parameters(herald):
    bus = herald.bus()
    with herald.browser(herald.accounts["viewer"]) as client, open_status(herald, client) as ws:
        first = next_sections(ws, lambda s: "device" in s)
        assert first["recordings"] == "", "no recording service on the bus: no section"

        bus.set_state(ONGOING, Ongoing((Recording("Lobby", "Microphone", "SD card"),)).to_dict())
        try:
            update = next_sections(ws, lambda s: s.get("recordings"))
            assert "Lobby" in update["recordings"] and "SD card" in update["recordings"]
        finally:
            bus.set_state(ONGOING, None)
        assert next_sections(ws, lambda s: "recordings" in s)["recordings"] == ""

        with herald.browser(herald.accounts["admin"]) as admin_page, \
                open_status(herald, admin_page) as admin_ws, \
                herald.vapix(herald.accounts["admin"]) as admin:
            next_sections(admin_ws, lambda s: "device" in s)
            admin.post("/axis-cgi/param.cgi", data={"action": "update",
                                                    "Network.HostName": "lobby-speaker"})
            try:
                update = next_sections(admin_ws,
                                       lambda s: "lobby-speaker" in s.get("device", ""))
            finally:
                admin.post("/axis-cgi/param.cgi", data={"action": "update",
                                                        "Network.HostName": "herald-test"})
        assert "lobby-speaker" in update["device"]
        assert "Host name" not in first["device"], "param.cgi shows it to administrators only"


def test_the_system_service_reports_time_sync_and_connected_clients(herald):
    with herald.browser(herald.accounts["admin"]) as client, open_status(herald, client) as ws:
        # The system service refreshes both every few seconds; the first
        # clients section may be from before this very connection.
        sections = next_sections(
            ws, lambda s: "127.0.0.1" in s.get("clients", "") and s.get("time"), timeout=60)
    assert "Time sync status" in sections["time"]
    with herald.browser(herald.accounts["viewer"]) as client:
        page = client.get("/status/").text
    assert "Time sync status" in page and "127.0.0.1" not in page  # clients: admins only


def test_a_socket_is_refused_without_access_and_closed_when_access_ends(herald):
    with pytest.raises(Exception, match="403"):
        open_status(herald).close()  # anonymous, while anonymous viewing is off
    with herald.vapix(herald.accounts["admin"]) as admin:
        admin.post("/axis-cgi/param.cgi", data={"action": "update",
                                                "System.AnonymousViewing": "yes"})
        try:
            with open_status(herald) as ws:
                next_sections(ws, lambda s: "device" in s)
                admin.post("/axis-cgi/param.cgi", data={"action": "update",
                                                        "System.AnonymousViewing": "no"})
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        ws.recv(timeout=30)
                assert closed.value.rcvd.code == 4403
        finally:
            admin.post("/axis-cgi/param.cgi", data={"action": "update",
                                                    "System.AnonymousViewing": "no"})


def test_another_sites_page_cannot_open_the_socket(herald):
    with herald.browser() as client:
        login(client, herald.accounts["admin"])
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    with pytest.raises(Exception, match="403"):
        connect(herald.http_url.replace("http://", "ws://") + "/ws/status/", open_timeout=30,
                additional_headers={"Cookie": cookie, "Origin": "http://evil.example"}).close()
