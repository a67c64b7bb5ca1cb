"""System > Date and time, applied on a host device with a real chronyd: the
NTP server the page names is the one chronyd syncs to, and Status and the
page say so; NTS asks chronyd for NTS key establishment; a time zone is the
system's; bad servers and time zones are refused, naming the field, and
change nothing."""

from __future__ import annotations

import os
import re

from herald.system import contract as system
from tests.clock.conftest import TimedDevice
from tests.conftest import redis_server, wait_until
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import HeraldStack, post_form

PAGE = "/system/time/"


def save(device: TimedDevice, **values: str) -> str:
    """The page's form saved as an administrator; the page shown after."""
    with device.stack.browser(device.stack.accounts["admin"]) as client:
        reply = post_form(client, PAGE, {"action": "save", **values})
        assert reply.status_code == 302, reply.text
        return client.get(PAGE).text


def status_page(device: TimedDevice) -> str:
    with device.stack.browser(device.stack.accounts["viewer"]) as client:
        return client.get("/status/").text


def test_the_device_syncs_with_the_ntp_server_the_page_names(timed: TimedDevice) -> None:
    shown = save(timed, **{system.SYNC_SOURCE: "NTP", system.OBTAIN_FROM_DHCP: "no",
                           system.NTP_SERVER: "127.0.0.1"})
    assert "Saved: Time.ObtainFromDHCP, Time.NTP.Server." in shown
    wait_until(lambda: timed.client.sources() == ["127.0.0.1"], timeout=30,
               what="chronyd to take the server")

    def in_sync() -> bool:
        text = status_page(timed)
        return "In sync" in text and "<dd>127.0.0.1</dd>" in text
    wait_until(in_sync, timeout=60, interval=0.5, what="Status to say In sync with 127.0.0.1")
    assert '<a href="/system/time/">NTP settings</a>' in status_page(timed)  # as the manual has
    with timed.stack.browser(timed.stack.accounts["admin"]) as client:
        page = client.get(PAGE).text
    assert "In sync" in page and "<dd>127.0.0.1</dd>" in page

    # Custom date and time: chronyd has no NTP source left, and Status says so.
    save(timed, **{system.SYNC_SOURCE: "None"})
    wait_until(lambda: timed.client.sources() == [], timeout=30, what="the source to go")


def test_servers_and_time_zone_set_through_param_cgi_apply_too(timed: TimedDevice) -> None:
    with timed.stack.vapix(timed.stack.accounts["admin"]) as client:
        reply = client.post("/axis-cgi/param.cgi", data={
            "action": "update", system.OBTAIN_FROM_DHCP: "no", system.NTP_SERVER: "127.0.0.1",
            system.TIME_ZONE: "Asia/Tokyo"})
        assert reply.text.strip() == "OK", reply.text
        refused = client.post("/axis-cgi/param.cgi", data={
            "action": "update", system.NTP_SERVER2: "bad host name"})
        assert "Time.NTP.Server2" in refused.text and "must be a host name" in refused.text
    wait_until(lambda: timed.client.sources() == ["127.0.0.1"], timeout=30,
               what="chronyd to take the server")
    localtime = timed.time_dir / "localtime"
    wait_until(lambda: os.readlink(localtime).endswith("/Asia/Tokyo"), timeout=30,
               what="the system's time zone to be Tokyo's")


def test_the_ntp_servers_dhcp_gives_come_first(timed: TimedDevice) -> None:
    """A lease as systemd-networkd writes it: NTP= the DHCP server's option 42."""
    timed.leases_dir.mkdir(exist_ok=True)
    lease = timed.leases_dir / "2"
    lease.write_text("# This is private data. Do not parse.\nADDRESS=192.0.2.90\n"
                     "NTP=127.0.0.1\n")
    try:
        save(timed, **{system.OBTAIN_FROM_DHCP: "yes", system.NTP_SERVER: "192.0.2.7"})
        wait_until(lambda: timed.client.sources() == ["127.0.0.1", "192.0.2.7"], timeout=30,
                   what="DHCP's server, then the fallback server")
        wait_until(lambda: "<dd>127.0.0.1</dd>" in status_page(timed), timeout=60,
                   interval=0.5, what="Status to name DHCP's server")
    finally:
        lease.unlink()
    # The lease gone (herald-system looks again every few seconds): the fallback alone.
    wait_until(lambda: timed.client.sources() == ["192.0.2.7"], timeout=30,
               what="the fallback server alone")


def test_nts_servers_are_asked_for_with_nts_key_establishment(timed: TimedDevice) -> None:
    save(timed, **{system.SYNC_SOURCE: "NTS", system.NTP_SERVER: "127.0.0.1",
                   system.NTP_SERVER2: "192.0.2.7"})

    def authenticated() -> list[str]:
        # chronyc authdata: name, mode (NTS for key establishment), ...
        rows = [line.split(",") for line in timed.client.chronyc("-c", "authdata").splitlines()]
        return sorted(row[0] for row in rows if row[1] == "NTS")
    assert wait_until(authenticated, timeout=30, what="NTS sources") == ["127.0.0.1",
                                                                           "192.0.2.7"]


def test_the_time_zone_is_the_systems(timed: TimedDevice) -> None:
    shown = save(timed, **{system.TIME_ZONE: "Europe/Stockholm"})
    assert "Saved: Time.TimeZone." in shown
    localtime = timed.time_dir / "localtime"
    wait_until(lambda: localtime.is_symlink() and os.readlink(localtime).endswith(
        "/Europe/Stockholm"), timeout=30, what="localtime to point at Europe/Stockholm")
    assert re.search(r'<dd id="local-time">[0-9T:-]+\+0[12]:00</dd>', shown)


def test_the_time_zone_from_dhcp_is_adopted(timed: TimedDevice) -> None:
    timed.leases_dir.mkdir(exist_ok=True)
    lease = timed.leases_dir / "2"
    lease.write_text("ADDRESS=192.0.2.90\nTIMEZONE=Atlantis/Capital\n")
    try:
        save(timed, **{system.TIME_ZONE_FROM_DHCP: "yes"})
        lease.write_text("ADDRESS=192.0.2.90\nTIMEZONE=Europe/Helsinki\n")
        wait_until(lambda: timed.params.snapshot().get(system.TIME_ZONE) == "Europe/Helsinki",
                   timeout=30, what="DHCP's time zone to be the device's")
        localtime = timed.time_dir / "localtime"
        wait_until(lambda: os.readlink(localtime).endswith("/Europe/Helsinki"), timeout=30,
                   what="the system's time zone to be Helsinki")
        with timed.stack.browser(timed.stack.accounts["admin"]) as client:
            assert 'value="Europe/Helsinki"' in client.get(PAGE).text
    finally:
        lease.unlink()


def test_bad_servers_and_time_zones_are_refused_naming_the_field(timed: TimedDevice) -> None:
    save(timed, **{system.OBTAIN_FROM_DHCP: "no", system.NTP_SERVER: "127.0.0.1"})
    sources = timed.time_dir / "herald.sources"
    wait_until(lambda: sources.exists() and "127.0.0.1" in sources.read_text(), timeout=30,
               what="the sources file")
    before = sources.read_text()
    for field, bad, words in (
            (system.NTP_SERVER, "ntp..example", "NTP server (Time.NTP.Server) must be a host name"),
            (system.NTP_SERVER2, "pool ntp org", "Second NTP server (Time.NTP.Server2) must be"),
            (system.TIME_ZONE, "Mars/Olympus", "Time zone (Time.TimeZone) must be a time zone"),
            (system.POSIX_TIME_ZONE, "CET+25x", "POSIX time zone (Time.POSIXTimeZone) must be")):
        good = ({system.TIME_ZONE: "Europe/Oslo"} if field == system.NTP_SERVER2
                else {system.NTP_SERVER2: "192.0.2.7"})
        shown = save(timed, **{**good, field: bad})
        assert f"Nothing was saved: {words}" in shown, shown
        snapshot = timed.params.snapshot()  # not even the good change
        assert (snapshot.get(system.NTP_SERVER2), snapshot.get(system.TIME_ZONE)) == (
            "", "Etc/UTC")
    assert sources.read_text() == before
    assert timed.client.sources() == ["127.0.0.1"]


def test_a_chrony_that_does_not_take_the_servers_is_shown(tmp_path) -> None:
    """chronyc cannot reach chronyd (on a device: no access to its socket):
    Status and the page say so, and the settings are still stored."""
    with redis_server(tmp_path) as url:
        stack = HeraldStack(tmp_path / "data", url, {
            "HERALD_CHRONYC": f"chronyc -h {tmp_path / 'no-chronyd.sock'}",
            "HERALD_TIME_DIR": str(tmp_path / "time"),
            "HERALD_LEASES_DIR": str(tmp_path / "leases")})
        try:
            stack.start(worker=False)
            set_up_accounts(stack)
            with stack.browser(stack.accounts["admin"]) as client:
                post_form(client, PAGE, {system.OBTAIN_FROM_DHCP: "no",
                                         system.NTP_SERVER: "127.0.0.1"})

                def shown() -> bool:
                    return "chrony did not take the NTP servers" in client.get("/status/").text
                wait_until(shown, timeout=30, interval=0.5, what="Status to show the problem")
                assert "chrony did not take the NTP servers" in client.get(PAGE).text
            assert "127.0.0.1" in (tmp_path / "time" / "herald.sources").read_text()
        finally:
            stack.stop()
