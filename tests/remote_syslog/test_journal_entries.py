"""The journal's entries as the remote system log sends them: records as
`journalctl -o json` prints them (the kernel, a service, text that is not
UTF-8) keep their facility and severity; a Herald daemon's line, which it
also writes to the system log file, is left out (it is sent from there), but
not what Herald's other units say only to the journal. The source itself runs
journalctl on a device (QEMU); here its records are taken as printed."""

from __future__ import annotations

from herald.system import contract
from herald.system.log_sources import from_journal
from herald.system.syslog_message import render

KERNEL = {"__REALTIME_TIMESTAMP": "1764936000123456", "_TRANSPORT": "kernel",
          "PRIORITY": "3", "SYSLOG_FACILITY": "0", "SYSLOG_IDENTIFIER": "kernel",
          "_HOSTNAME": "speaker", "MESSAGE": "eth0: link down"}
CHRONY = {"__REALTIME_TIMESTAMP": "1764936001000000", "_TRANSPORT": "syslog",
          "PRIORITY": "5", "SYSLOG_FACILITY": "3", "SYSLOG_IDENTIFIER": "chronyd",
          "SYSLOG_PID": "312", "_PID": "312", "_HOSTNAME": "speaker",
          "_SYSTEMD_UNIT": "chrony.service", "MESSAGE": [83, 111, 117, 114, 99, 101, 0xff]}
HERALD = {"__REALTIME_TIMESTAMP": "1764936002000000", "_TRANSPORT": "stdout",
          "PRIORITY": "6", "SYSLOG_IDENTIFIER": "herald-system",
          "_SYSTEMD_UNIT": "herald-system.service",
          "MESSAGE": "2025-12-05T12:00:02+0000 speaker herald-system[401]: info NTP sources: none"}
GATE = {"__REALTIME_TIMESTAMP": "1764936003000000", "_TRANSPORT": "stdout",
        "PRIORITY": "6", "SYSLOG_IDENTIFIER": "herald-update", "_HOSTNAME": "speaker",
        "_SYSTEMD_UNIT": "herald-health.service",
        "MESSAGE": "herald-update: slot A marked good: the services answer"}


def test_the_kernel_and_services_keep_facility_and_severity():
    kernel = from_journal(KERNEL)
    assert kernel and (kernel.facility, kernel.severity, kernel.app) == (0, 3, "kernel")
    assert render(kernel, contract.FORMAT_RFC5424).startswith(b"<3>1 2025-12-05T")
    assert b" speaker kernel - - - eth0: link down" in render(kernel, contract.FORMAT_RFC5424)
    # Axis: the line System > Logs shows (no [pid] for the kernel; the severity's name).
    assert render(kernel, contract.FORMAT_AXIS).startswith(b"<3>2025-12-05T")
    assert render(kernel, contract.FORMAT_AXIS).endswith(b" speaker kernel: error eth0: link down")
    chrony = from_journal(CHRONY)
    assert chrony and (chrony.facility, chrony.severity, chrony.pid) == (3, 5, "312")
    assert render(chrony, contract.FORMAT_RFC3164).endswith("speaker chronyd[312]: Source\ufffd"
                                                            .encode())
    assert render(chrony, contract.FORMAT_RFC3164).startswith(b"<29>Dec  5 ")


def test_a_line_of_the_system_log_file_is_left_out_but_the_boot_gates_is_sent():
    assert from_journal(HERALD) is None
    gate = from_journal(GATE)
    assert gate and gate.app == "herald-update" and "slot A marked good" in gate.message
