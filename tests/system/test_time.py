"""In the QEMU image: Date and time reaches the device's own clock settings.
An NTP server set through param.cgi becomes one of chronyd's sources, and a
time zone set through VAPIX time.cgi is the system's (/etc/localtime on the
read-only root points at the one herald-system writes on /data). Syncing to a
server is tested on the host against a real chronyd (tests/webadmin)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until
from tests.system.conftest import update

pytestmark = [pytest.mark.system]

SERVER = "10.0.2.2"  # QEMU's user network: the host


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

    answer = root.post("/axis-cgi/time.cgi", json={
        "apiVersion": "1.0", "method": "setTimeZone", "params": {"timeZone": "Asia/Kolkata"}})
    assert "error" not in answer.json(), answer.text
    wait_until(lambda: zone_now() == "IST", timeout=60, interval=1,
               what="the guest's date to tell India's time zone")
    info = root.post("/axis-cgi/time.cgi", json={"apiVersion": "1.0",
                                                 "method": "getDateTimeInfo"}).json()
    assert info["data"]["timeZone"] == "Asia/Kolkata"
    answer = root.post("/axis-cgi/time.cgi", json={"apiVersion": "1.0",
                                                   "method": "resetTimeZone"})
    assert "error" not in answer.json(), answer.text
    wait_until(lambda: zone_now() == "UTC", timeout=60, interval=1,
               what="the guest's date back in UTC")
