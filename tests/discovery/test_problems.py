"""A protocol that cannot listen (here: an interface address the host does not
have, as a device before its network is up) is said in discovery's status,
not a crash of herald-system; Bonjour, which needs no socket, stays on."""

from __future__ import annotations

from pathlib import Path

from herald.discovery import contract
from tests.discovery.conftest import start_device


def test_a_protocol_that_cannot_listen_is_said(tmp_path: Path, own_redis_url: str):
    device = start_device(tmp_path, own_redis_url, "198.51.100.77")  # on no interface here
    try:
        status = contract.DiscoveryStatus.from_dict(device.status())
        assert (status.bonjour, status.upnp, status.ws_discovery) == (True, False, False)
        assert [p.split(" cannot listen")[0] for p in status.problems] == ["UPnP", "WS-Discovery"]
        assert device.process.poll() is None
    finally:
        device.stop()
