"""In the QEMU image: the remote system log carries the device's journal, the
kernel's lines and other services' (herald-system reads the whole journal),
to a real rsyslogd on the host, reached through QEMU's user network. The
protocols, formats and failures are tested on the host (tests/remote_syslog)."""

from __future__ import annotations

import uuid

import pytest

from herald.system import contract
from tests.conftest import wait_until
from tests.remote_syslog.rsyslog import Receiver

pytestmark = [pytest.mark.system]

HOST = "10.0.2.2"  # QEMU's user network: the host


def test_the_kernels_and_services_lines_reach_a_remote_syslog_server(device, root, tmp_path):
    receiver = Receiver(tmp_path / "rsyslog", contract.TCP)
    receiver.start()
    field = f"{contract.SYSLOG_PREFIX}."
    added = root.post("/axis-cgi/param.cgi", data={
        "action": "add", "template": contract.SYSLOG_TEMPLATE, "group": contract.SYSLOG_PARENT,
        field + contract.SYSLOG_ADDRESS: HOST, field + contract.SYSLOG_PORT: str(receiver.port),
        field + contract.SYSLOG_PROTOCOL: contract.TCP,
        field + contract.SYSLOG_FORMAT: contract.FORMAT_RFC5424,
        field + contract.SYSLOG_SEVERITY: "info"})
    assert added.text.endswith(" OK\n"), added.text
    group = f"{contract.SYSLOG_PARENT}.{added.text.split()[0]}"
    try:
        kernel, service = f"kernel-{uuid.uuid4().hex}", f"service-{uuid.uuid4().hex}"

        # /dev/kmsg: the kernel's log, as a driver's line gets there (written from
        # user space it keeps facility user).
        def said(marker: str) -> list[list[str]]:  # the line itself, not systemd's about it
            return [line for line in receiver.lines(marker) if line[3].strip() == marker]

        def arrived() -> bool:  # said again until it arrives: the server may still connect
            device.run(f"echo {kernel} > /dev/kmsg; systemd-run -q --wait --unit=probe-"
                       f"{uuid.uuid4().hex[:8]} logger -t probe -p daemon.warning {service}")
            return bool(said(kernel) and said(service))

        wait_until(arrived, timeout=120, interval=2,
                   what="the guest's kernel and service lines at the host's rsyslogd")
        severity, facility, app = said(service)[0][:3]
        assert (severity, facility, app) == ("warning", "daemon", "probe")
    finally:
        assert root.get("/axis-cgi/param.cgi", params={
            "action": "remove", "group": group}).text == "OK\n"
        receiver.stop()
