"""System > Logs > Remote system log: what a Herald process logs reaches a
real rsyslogd over UDP, TCP and TLS in each format, with its severity; the
severity filter, changes without a restart, a receiver that comes back, a
wrong CA refused, bad settings refused."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from herald.access import Level
from herald.environment import from_variables
from herald.params.store import GroupError
from herald.system import contract, logs
from tests.conftest import wait_until
from tests.firmware.recipient_servers import make_pki
from tests.remote_syslog.rsyslog import Receiver


def marker() -> str:
    return f"mark-{uuid.uuid4().hex[:12]}"


def tls_receiver(directory: Path) -> tuple[Receiver, str]:
    """A TLS receiver and its CA's PEM."""
    pki = make_pki(directory)
    ca = directory / "ca.pem"
    ca.write_text(pki.ca_pem)
    return Receiver(directory / "rsyslog", contract.TLS, (ca, pki.cert_file, pki.key_file)), \
        pki.ca_pem


def install_ca(device, name: str, pem: str) -> None:
    certs = device.data / "certs"
    certs.mkdir(exist_ok=True)
    (certs / name).write_text(pem)


def arrives(device, receiver: Receiver, level: str = "warning") -> list[str]:
    """A line logged at `level` as the receiver got it (its fields)."""
    text = marker()
    device.app.log(level, text)
    return wait_until(lambda: receiver.lines(text), what=f"{text!r} at the receiver")[0]


@pytest.mark.parametrize("protocol", contract.SYSLOG_PROTOCOLS)
def test_a_logged_line_arrives_in_each_format(device, tmp_path, protocol):
    if protocol == contract.TLS:
        receiver, ca_pem = tls_receiver(tmp_path)
        install_ca(device, "receiver-ca.pem", ca_pem)
    else:
        receiver = Receiver(tmp_path / "rsyslog", protocol)
    receiver.start()
    try:
        for syslog_format in contract.SYSLOG_FORMATS:
            name = device.add_server(
                Address="127.0.0.1", Port=str(receiver.port), Protocol=protocol,
                SyslogFormat=syslog_format, Severity="info",
                CACertificate="receiver-ca.pem" if protocol == contract.TLS else "")
            device.server(name, connected=True)
            severity, facility, app, _, raw = arrives(device, receiver, "warning")
            assert (severity, facility) == ("warning", "daemon"), raw
            if syslog_format == contract.FORMAT_RFC5424:
                assert raw.startswith("<28>1 ") and app == "herald-web", raw
            elif syslog_format == contract.FORMAT_RFC3164:
                assert raw.startswith("<28>") and app == "herald-web", raw
            else:  # the system log's own line
                assert " herald-web[" in raw and "]: warning mark-" in raw, raw
            error = arrives(device, receiver, "error")
            assert error[0] == "err"
            device.params.remove([name], Level.ADMIN)
            wait_until(lambda name=name: name not in device.servers(),
                       what=f"{name} to go")
    finally:
        receiver.stop()


def test_the_severity_filter_and_changes_without_a_restart(device, tmp_path):
    receiver = Receiver(tmp_path / "rsyslog", contract.UDP)
    receiver.start()
    try:
        name = device.add_server(Address="127.0.0.1", Port=str(receiver.port),
                                 Severity="warning")
        device.server(name, connected=True, severity="warning")
        quiet = marker()
        device.app.log("info", quiet)
        assert arrives(device, receiver, "warning")[0] == "warning"
        assert receiver.lines(quiet) == []  # logged before, filtered out
        device.params.update({f"{name}.Severity": "info"}, Level.ADMIN)
        device.server(name, severity="info")
        assert arrives(device, receiver, "info")[0] == "info"
        witness = Receiver(tmp_path / "witness", contract.UDP)
        witness.start()
        device.server(device.add_server(Address="127.0.0.1", Port=str(witness.port)),
                      connected=True)
        device.params.remove([name], Level.ADMIN)
        wait_until(lambda: name not in device.servers(), what="the server to go")
        # The other server got the line: it was sent while the first was gone.
        assert arrives(device, witness, "error")[3].strip() not in receiver.received.read_text()
        witness.stop()
    finally:
        receiver.stop()


def test_a_receiver_that_comes_back_gets_lines_again(device, tmp_path):
    receiver = Receiver(tmp_path / "rsyslog", contract.TCP)
    receiver.start()
    try:
        name = device.add_server(Address="127.0.0.1", Port=str(receiver.port),
                                 Protocol=contract.TCP, SyslogFormat=contract.FORMAT_RFC5424)
        device.server(name, connected=True)
        arrives(device, receiver)
        receiver.stop()
        away = device.server(name, connected=False)
        assert away["problem"]
        for number in range(contract.SYSLOG_QUEUE + 50):  # logging goes on while it is away
            device.app.log("error", f"while away {number}")
        wait_until(lambda: device.servers()[name]["dropped"] >= 50,
                   what="the lines beyond the queue counted as dropped")
        witness = Receiver(tmp_path / "witness", contract.UDP)
        witness.start()
        device.server(device.add_server(Address="127.0.0.1", Port=str(witness.port)),
                      connected=True)
        arrives(device, witness)  # the server away holds up no other
        witness.stop()
        receiver.start()
        device.server(name, connected=True, problem="")
        logged: list[str] = []

        def one_arrives() -> bool:  # a line logged at each look, until one gets there
            logged.append(marker())
            device.app.log("error", logged[-1])
            return any(receiver.lines(text) for text in logged)
        wait_until(one_arrives, interval=0.3, what="a line after the receiver came back")
    finally:
        receiver.stop()


def test_a_wrong_ca_is_refused_and_nothing_is_sent(device, tmp_path):
    receiver, ca_pem = tls_receiver(tmp_path)
    receiver.start()
    try:
        (tmp_path / "other").mkdir()
        install_ca(device, "other-ca.pem", make_pki(tmp_path / "other").ca_pem)
        name = device.add_server(Address="127.0.0.1", Port=str(receiver.port),
                                 Protocol=contract.TLS, CACertificate="other-ca.pem")
        text = marker()
        device.app.log("error", text)
        device.server(name)
        wait_until(lambda: "certificate verify failed" in device.servers()[name]["problem"],
                   what="the reason in the status")
        refused = device.servers()[name]
        assert refused["sent"] == 0
        assert receiver.lines(text) == []
        assert "certificate verify failed" in (device.data / "logs" / "system.log").read_text()
        missing = device.add_server(Address="127.0.0.1", Port=str(receiver.port),
                                    Protocol=contract.TLS, CACertificate="nowhere.pem")
        assert "not in the certificate store" in device.server(missing)["problem"]
        install_ca(device, "nowhere.pem", ca_pem)  # put in the store: taken without a change
        device.server(missing, connected=True, problem="")
    finally:
        receiver.stop()


@pytest.mark.parametrize(("field", "value"), [
    ("Address", ""), ("Address", "not a host!"), ("Port", "70000"), ("Protocol", "SCTP"),
    ("SyslogFormat", "json"), ("Severity", "loud")])
def test_bad_settings_are_refused_naming_the_field(device, field, value):
    with pytest.raises(GroupError, match=rf"^RemoteSyslog\.S0\.{field}: "):
        device.add_server(**{"Address": "127.0.0.1", field: value})
    assert not [i for i in device.params.snapshot().instances
                if i.startswith(contract.SYSLOG_PREFIX)]


def test_lines_after_the_log_is_rotated_arrive(device, tmp_path):
    receiver = Receiver(tmp_path / "rsyslog", contract.UDP)
    receiver.start()
    try:
        device.server(device.add_server(Address="127.0.0.1", Port=str(receiver.port)),
                      connected=True)
        arrives(device, receiver)
        environment = from_variables({"HERALD_DATA_DIR": str(device.data)})
        assert logs.rotate(environment, max_bytes=0) == [logs.SYSTEM]  # as herald-system does
        arrives(device, receiver)  # written to the new system.log
    finally:
        receiver.stop()
