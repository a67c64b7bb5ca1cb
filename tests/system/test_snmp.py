"""In the QEMU image: a site's manager reaches herald-snmp through the forwarded
UDP port (net-snmp's snmpget), once an administrator turns SNMP on; before
that the device answers nobody, and no herald-snmp runs (herald-system starts
and stops it as the setting changes)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until
from tests.snmp.netsnmp import FIRMWARE_VERSION, SYS_DESCR, run
from tests.system.conftest import active_state, update

pytestmark = [pytest.mark.system]

UNIT = "herald-snmp.service"


def test_the_agent_answers_through_the_forwarded_port_once_turned_on(device, root) -> None:
    port = device.ports["snmp"]
    assert run("snmpget", port, "2c", SYS_DESCR).returncode != 0  # off by default
    assert active_state(device, UNIT) == "inactive"
    version = root.get("/axis-cgi/param.cgi", params={
        "action": "list", "group": "Properties.Firmware.Version"}).text.strip().split("=")[1]
    update(root, SNMP_Enabled="yes", SNMP_V2c="yes")

    def answer() -> dict[str, str] | None:
        done = run("snmpget", port, "2c", "-Oq", SYS_DESCR, FIRMWARE_VERSION)
        if done.returncode != 0:
            return None
        return dict(line.split(" ", 1) for line in done.stdout.splitlines())

    got = wait_until(answer, timeout=60, interval=1, what="the agent to answer in the guest")
    assert version in got[SYS_DESCR] and got[FIRMWARE_VERSION].strip('"') == version

    update(root, SNMP_Enabled="no")
    wait_until(lambda: active_state(device, UNIT) == "inactive", timeout=60, interval=1,
               what="herald-snmp to stop")
    assert run("snmpget", port, "2c", SYS_DESCR).returncode != 0
