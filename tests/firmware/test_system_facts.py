"""Facts the firmware reads from the system: identity, firmware version,
time sync, connected clients."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from herald.system import connections, identity, timesync
from herald.system.contract import TimeSync


def test_the_serial_is_made_once_and_kept(tmp_path):
    first = identity.load(tmp_path)
    assert identity.SERIAL.fullmatch(first.serial)
    assert identity.load(tmp_path) == first
    assert first.mac == ":".join(first.serial[i:i + 2] for i in range(0, 12, 2)).lower()
    assert first.hostname == "herald-" + first.serial[-6:].lower()
    (tmp_path / "serial").write_text("not-a-serial\n")
    with pytest.raises(ValueError, match="12 hex digits"):
        identity.load(tmp_path)


def test_the_firmware_version_comes_from_a_herald_os_release(tmp_path):
    release = tmp_path / "os-release"
    release.write_text('ID=herald\nVERSION_ID="1.4.2"\nBUILD_ID=20261125\n'
                       'HERALD_BUILD_DATE="Nov 25 2026 08:00"\n')
    assert identity.read_firmware(release) == identity.Firmware(
        "1.4.2", "Nov 25 2026 08:00", "20261125")
    release.write_text('ID=herald\nVERSION_ID="1.4.2"\nBUILD_ID=1.4.2\n')
    assert identity.read_firmware(release).build_date == "", "a version is no build date"
    release.write_text("ID=debian\nVERSION_ID=13\n")
    assert identity.read_firmware(release).version == identity.DEVELOPMENT_VERSION
    assert identity.read_firmware(tmp_path / "missing").version == identity.DEVELOPMENT_VERSION


def test_a_development_host_is_built_when_its_sources_last_changed(tmp_path):
    built = identity.read_firmware(tmp_path / "missing").build_date
    newest = max(p.stat().st_mtime for p in Path(identity.__file__).parents[1].rglob("*.py"))
    assert built == identity.build_date(newest)
    parsed = datetime.strptime(built, "%b %d %Y %H:%M").replace(tzinfo=UTC)
    assert 0 <= newest - parsed.timestamp() < 60
    assert identity.build_date(1764878400) == "Dec 04 2025 20:00"


def test_chrony_tracking_is_read_as_in_sync_or_not():
    synced = ("C0A80001,ntp.example.org,3,1764100000.5,0.000012,0.000003,0.000020,-4.2,"
              "0.001,0.01,0.002,0.0004,64.5,Normal\n")
    status = timesync.from_chrony(synced, now=1764100030.0)
    assert status == TimeSync("chrony", True, "ntp.example.org", 35)
    unsynced = "00000000,,0,0.0,0,0,0,0,0,0,0,0,0.0,Not synchronised\n"
    assert timesync.from_chrony(unsynced, now=1.0).synchronized is False


def test_connected_clients_are_read_from_the_kernel():
    """A real listening socket and a real client: the list shows the client."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    try:
        found = [c for c in connections.connected(Path("/proc")) if c.port == port]
        assert len(found) == 1
        assert found[0].address == "127.0.0.1"
        assert found[0].state == "established" and found[0].protocol == "TCP"
        assert found[0].process.split("/")[0].isdigit()
    finally:
        for sock in (accepted, client, server):
            sock.close()
