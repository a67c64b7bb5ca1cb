"""In the QEMU image: SSH is off until an administrator turns it on
(Network.SSH.Enabled, as the manual's param.cgi example does); then the
server answers with the device's own host key, made on its first boot, and
it stops again when turned off."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until
from tests.system.conftest import active_state, update

pytestmark = [pytest.mark.system]

UNIT = "ssh.service"


def host_key(device) -> str:
    """The ed25519 key the server in the guest offers, as ssh-keyscan prints it."""
    lines = device.run("ssh-keyscan -T 5 -t ed25519 127.0.0.1 2>/dev/null").output.splitlines()
    keys = [line.split()[1:3] for line in lines if line.startswith("127.0.0.1 ")]
    return " ".join(keys[0]) if keys else ""


def test_ssh_runs_only_while_turned_on_with_the_devices_own_key(device, root) -> None:
    assert active_state(device, UNIT) == "inactive"
    assert host_key(device) == ""
    update(root, Network_SSH_Enabled="yes")
    offered = wait_until(lambda: host_key(device), timeout=60, interval=1,
                         what="the SSH server to answer in the guest")
    made = device.run("cat /data/identity/ssh/ssh_host_ed25519_key.pub", check=True).output
    assert offered == " ".join(made.split()[:2])
    update(root, Network_SSH_Enabled="no")
    wait_until(lambda: active_state(device, UNIT) == "inactive", timeout=60, interval=1,
               what="the SSH server to stop")
