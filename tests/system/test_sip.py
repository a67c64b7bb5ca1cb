"""In the QEMU image: SIP is off until an administrator turns it on; then
herald-system starts herald-sip, whose baresip (the Debian package in the
image) listens for calls on the SIP port, and stops it when turned off. Calls
themselves are tested on the host against a real second baresip (tests/sip)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until
from tests.system.conftest import active_state, update

pytestmark = [pytest.mark.system]

UNIT = "herald-sip.service"


def sip_listeners(device) -> str:
    """The UDP sockets baresip listens on in the guest."""
    return device.run("ss -H -lunp | grep baresip").output


def test_sip_runs_only_while_turned_on(device, root) -> None:
    assert active_state(device, UNIT) == "inactive"
    update(root, SIP_Enabled="yes")
    wait_until(lambda: ":5060 " in sip_listeners(device), timeout=120, interval=1,
               what="baresip to listen on the SIP port in the guest")
    assert active_state(device, UNIT) == "active"
    update(root, SIP_Enabled="no")
    wait_until(lambda: active_state(device, UNIT) == "inactive", timeout=60, interval=1,
               what="herald-sip to stop")
    assert sip_listeners(device) == ""
