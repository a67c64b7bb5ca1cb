"""In the QEMU image: Date and time reaches the device's own clock settings.
An NTP server set through param.cgi becomes one of chronyd's sources, and a
time zone set through VAPIX time.cgi is the system's (/etc/localtime on the
read-only root points at the one herald-system writes on /data), and a date
and time set by hand (Custom date and time) is the guest's clock. Syncing to
a server is tested on the host against a real chronyd (tests/webadmin)."""

from __future__ import annotations

import datetime
import time

import pytest

from tests.conftest import wait_until
from tests.system.conftest import update

pytestmark = [pytest.mark.system]

SERVER = "10.0.2.2"  # QEMU's user network: the host


def time_cgi(root, method: str, **params: str) -> dict:
    """A time.cgi request's answer (JSON)."""
    return root.post("/axis-cgi/time.cgi", json={"apiVersion": "1.0", "method": method,
                                                 "params": params}).json()


def chrony_sources(device) -> str:
    return device.run("chronyc -n sources 2>&1").output


def test_an_ntp_server_set_through_param_cgi_is_a_source_of_chronyd(device, root) -> None:
    assert SERVER not in chrony_sources(device)
    update(root, Time_SyncSource="NTP", Time_NTP_Server=SERVER)
    wait_until(lambda: SERVER in chrony_sources(device), timeout=60, interval=1,
               what=f"chronyd in the guest to take {SERVER} as a source")


def test_a_time_zone_set_through_time_cgi_is_the_systems(device, root) -> None:
    def zone_now() -> str:
        return device.run("date +%Z").output.strip()

    answer = time_cgi(root, "setTimeZone", timeZone="Asia/Kolkata")
    assert "error" not in answer, answer
    wait_until(lambda: zone_now() == "IST", timeout=60, interval=1,
               what="the guest's date to tell India's time zone")
    assert time_cgi(root, "getDateTimeInfo")["data"]["timeZone"] == "Asia/Kolkata"
    answer = time_cgi(root, "resetTimeZone")
    assert "error" not in answer, answer
    wait_until(lambda: zone_now() == "UTC", timeout=60, interval=1,
               what="the guest's date back in UTC")


def test_a_date_and_time_set_by_hand_is_the_guests_clock(device, root) -> None:
    """Ten minutes ahead, then back to the host's time: little enough that no
    timeout of the services' runs out meanwhile."""
    def set_clock(when: datetime.datetime) -> dict:
        return time_cgi(root, "setDateTime", dateTime=when.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def ahead() -> float:
        """How far the guest's clock is ahead of the host's, seconds."""
        return int(device.run("date +%s", check=True).output) - time.time()

    now = datetime.datetime.now(datetime.UTC)
    refused = set_clock(now + datetime.timedelta(days=1000))
    assert "Custom date and time" in refused["error"]["message"], "NTP is on: refused"
    update(root, Time_SyncSource="None")
    try:
        answer = set_clock(now + datetime.timedelta(minutes=10))
        assert "error" not in answer, answer
        wait_until(lambda: 590 < ahead() < 610, timeout=60, interval=1,
                   what="the guest's clock ten minutes ahead")
    finally:
        set_clock(datetime.datetime.now(datetime.UTC))
        update(root, Time_SyncSource="NTP")
    wait_until(lambda: abs(ahead()) < 10, timeout=60, interval=1,
               what="the guest's clock back at the host's time")
