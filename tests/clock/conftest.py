"""A whole host device (web admin, herald-system, ...) whose chronyd is a
real one the test starts, beside a real NTP server (tests/clock/chrony.py).
Shared by the date and time tests; each test puts the settings back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from herald.access import Level
from herald.params import ParamStore, default_tree
from herald.system import contract as system
from tests.clock.chrony import Chronyd, device_client, ntp_server
from tests.conftest import redis_server
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import HeraldStack


@dataclass
class TimedDevice:
    stack: HeraldStack
    server: Chronyd
    client: Chronyd

    @property
    def params(self) -> ParamStore:
        return ParamStore(self.stack.data_dir / "db.sqlite3", default_tree(), self.stack.bus())

    @property
    def time_dir(self) -> Path:
        return self.stack.data_dir.parent / "time"

    @property
    def leases_dir(self) -> Path:
        """Where systemd-networkd keeps its DHCP leases, for this device."""
        return self.stack.data_dir.parent / "leases"


@pytest.fixture(scope="package")
def device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimedDevice]:
    root = tmp_path_factory.mktemp("time")
    server, port = ntp_server(root / "server")
    client = device_client(root / "client", root / "time")
    try:
        with redis_server(root) as url:
            stack = HeraldStack(root / "data", url, {
                "HERALD_CHRONYC": client.command_line, "HERALD_NTP_PORT": str(port),
                "HERALD_TIME_DIR": str(root / "time"), "HERALD_LEASES_DIR": str(root / "leases")})
            try:
                stack.start()
                set_up_accounts(stack)
                yield TimedDevice(stack, server, client)
            finally:
                stack.stop()
    finally:
        client.stop()
        server.stop()


@pytest.fixture
def timed(device: TimedDevice) -> Iterator[TimedDevice]:
    """The device, its Time settings back to their defaults after the test, and
    its chronyd without the times set by hand."""
    yield device
    device.client.chronyc("manual", "reset")
    device.params.update({name: device.params.snapshot().tree.resolve(name).definition.default()
                          for name in (*system.TIME_SETTINGS, *system.LOCATION)}, Level.ADMIN)
