"""A real rsyslogd as the remote syslog server, run by the test as it is
(Debian's rsyslog and rsyslog-gnutls) on its own configuration: one input
(UDP, TCP, or TLS over gtls) on a free port, everything it receives in a
file, one line a message: severity|facility|app|message|raw message."""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from herald.simulation.sound_card import die_with_parent
from herald.system import contract
from tests.conftest import wait_until

TEMPLATE = "%syslogseverity-text%|%syslogfacility-text%|%app-name%|%msg%|%rawmsg%\\n"


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    def __init__(self, directory: Path, protocol: str, tls: tuple[Path, Path, Path] | None = None
                 ) -> None:
        """`tls`: the CA, certificate and key files rsyslogd's gtls uses."""
        self.directory, self.protocol, self.tls = directory, protocol, tls
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "work").mkdir(exist_ok=True)
        self.port = free_port(socket.SOCK_DGRAM if protocol == contract.UDP
                              else socket.SOCK_STREAM)
        self.received = directory / "received.log"
        self.config = directory / "rsyslog.conf"
        self.config.write_text(self._config())
        self.process: subprocess.Popen | None = None

    def _config(self) -> str:
        lines = [f'global(workDirectory="{self.directory / "work"}")']
        if self.protocol == contract.UDP:
            lines += ['module(load="imudp")',
                      f'input(type="imudp" address="127.0.0.1" port="{self.port}")']
        elif self.protocol == contract.TCP:
            lines += ['module(load="imtcp")',
                      f'input(type="imtcp" address="127.0.0.1" port="{self.port}")']
        else:
            assert self.tls
            ca, cert, key = self.tls
            lines += [f'global(defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="{ca}"'
                      f' defaultNetstreamDriverCertFile="{cert}"'
                      f' defaultNetstreamDriverKeyFile="{key}")',
                      'module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1"'
                      ' streamDriver.authMode="anon")',
                      f'input(type="imtcp" address="127.0.0.1" port="{self.port}")']
        lines += [f'template(name="lines" type="string" string="{TEMPLATE}")',
                  f'action(type="omfile" file="{self.received}" template="lines")']
        return "\n".join(lines) + "\n"

    def start(self) -> None:
        rsyslogd = shutil.which("rsyslogd") or shutil.which("/usr/sbin/rsyslogd") or pytest.fail(
            "rsyslogd missing: apt-get install rsyslog rsyslog-gnutls (scripts/apt-packages.txt)")
        log = self.directory / "rsyslogd.out"
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [rsyslogd, "-n", "-f", str(self.config), "-i", str(self.directory / "pid")],
                stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

        def listening() -> bool:
            if self.process and self.process.poll() is not None:
                pytest.fail(f"rsyslogd exited: {log.read_text()}")
            return self._port_taken()
        wait_until(listening, what=f"rsyslogd to listen on {self.protocol} {self.port}")

    def _port_taken(self) -> bool:
        kind = socket.SOCK_DGRAM if self.protocol == contract.UDP else socket.SOCK_STREAM
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError as exc:
                return exc.errno == errno.EADDRINUSE
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def lines(self, marker: str) -> list[list[str]]:
        """What arrived with `marker` in it, each split into its fields."""
        try:
            text = self.received.read_text(errors="replace")
        except FileNotFoundError:
            return []
        return [line.split("|", 4) for line in text.splitlines() if marker in line]
