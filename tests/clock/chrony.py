"""Real chronyd processes for the date and time tests: an NTP server on a
free port of 127.0.0.1, and the device's NTP client, reading the sources
herald-system writes. Both leave the host's clock alone (-x), run without
root (-U), and each has its own configuration and command socket."""

from __future__ import annotations

import getpass
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from herald.simulation.sound_card import die_with_parent
from tests.conftest import wait_until
from tests.snmp.netsnmp import free_udp_port


def chronyd_path() -> str:
    return shutil.which("chronyd") or shutil.which("/usr/sbin/chronyd") or pytest.fail(
        "chronyd missing: install chrony (scripts/apt-packages.txt)")


class Chronyd:
    def __init__(self, directory: Path, lines: list[str]) -> None:
        self.directory = directory
        self.socket_dir = directory / "run"  # chronyd wants it closed to others
        self.lines = lines
        self.process: subprocess.Popen | None = None

    @property
    def socket(self) -> Path:
        return self.socket_dir / "chronyd.sock"

    @property
    def command(self) -> list[str]:
        """chronyc for this chronyd (over its socket: every command, not just monitoring)."""
        return [shutil.which("chronyc") or "chronyc", "-h", str(self.socket)]

    @property
    def command_line(self) -> str:
        return shlex.join(self.command)

    def start(self) -> Chronyd:
        self.socket_dir.mkdir(parents=True, mode=0o700)
        config = self.directory / "chrony.conf"
        config.write_text("\n".join([
            *self.lines, f"bindcmdaddress {self.socket}", "cmdport 0",
            f"pidfile {self.directory / 'chronyd.pid'}"]) + "\n")
        log = (self.directory / "chronyd.log").open("ab")
        self.process = subprocess.Popen(
            [chronyd_path(), "-d", "-x", "-U", "-u", getpass.getuser(), "-f", str(config)],
            stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        wait_until(lambda: self._answers(), timeout=15, what="chronyd to answer chronyc")
        return self

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError("chronyd exited:\n" + self.log())
        return subprocess.run([*self.command, "-c", "tracking"], capture_output=True,
                              timeout=10).returncode == 0

    def chronyc(self, *arguments: str) -> str:
        done = self._chronyc(*arguments)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def _chronyc(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.command, *arguments], capture_output=True, text=True,
                              timeout=10)

    def sources(self) -> list[str] | None:
        """The addresses of the sources this chronyd has now; None while a
        reload changes them under chronyc, which asks for the count first and
        then each source ("503 No such source": one went meanwhile)."""
        done = self._chronyc("-c", "sources")
        if done.returncode != 0 and "No such source" in done.stdout + done.stderr:
            return None
        assert done.returncode == 0, done.stdout + done.stderr
        return [line.split(",")[2] for line in done.stdout.splitlines()]

    def log(self) -> str:
        return (self.directory / "chronyd.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def ntp_server(directory: Path) -> tuple[Chronyd, int]:
    """An NTP server (stratum 8 from its own clock) on a free port of 127.0.0.1."""
    port = free_udp_port()
    directory.mkdir(parents=True)
    server = Chronyd(directory, [f"port {port}", "bindaddress 127.0.0.1", "allow 127.0.0.1",
                                 "local stratum 8"])
    return server.start(), port


def device_client(directory: Path, sourcedir: Path) -> Chronyd:
    """The device's chronyd: no NTP port of its own, its sources from `sourcedir`,
    as the image's chrony.conf has it (sourcedir /data/time)."""
    directory.mkdir(parents=True)
    sourcedir.mkdir(parents=True, exist_ok=True)
    return Chronyd(directory, ["port 0", f"sourcedir {sourcedir}"]).start()
