"""A network namespace of the test's own, for SIP: baresip offers a call's
audio on an interface's address, never on 127.0.0.1, so the device and its
callers meet in a namespace whose loopback has 127.0.0.2 as well. Their
calls stay inside it; Redis is reached over its unix socket as usual."""

from __future__ import annotations

import ctypes
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from herald.simulation.sound_card import die_with_parent
from tests.conftest import wait_until

ADDRESS = "127.0.0.2"  # the device's and the callers' address in the namespace
CLONE_NEWNET = 0x40000000
SETUP = f"ip link set lo up && ip addr add {ADDRESS}/8 dev lo && echo ready && exec sleep infinity"


class Namespace:
    """Held open by a sleeping process; `run` starts programs in it."""

    def __init__(self, work: Path) -> None:
        for tool in ("unshare", "nsenter", "ip"):
            if shutil.which(tool) is None:
                pytest.fail(f"{tool} missing: install util-linux and iproute2")
        self.log = work / "netns.log"
        with open(self.log, "wb") as out:
            self.holder = subprocess.Popen(["unshare", "--net", "sh", "-c", SETUP], stdout=out,
                                           stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        wait_until(lambda: self.holder.poll() is not None or b"ready" in self.log.read_bytes(),
                   what="the network namespace")
        if self.holder.poll() is not None:
            pytest.fail(f"no network namespace (root needed): {self.log.read_text()}")

    def command(self, *argv: str) -> list[str]:
        return ["nsenter", f"--net=/proc/{self.holder.pid}/ns/net", "--", *argv]

    def connect(self, port: int, host: str = "127.0.0.1") -> socket.socket:
        """A TCP connection made from inside the namespace."""
        return self._inside(lambda: socket.create_connection((host, port), timeout=5))

    def udp(self, port: int, host: str = ADDRESS) -> socket.socket:
        """A UDP socket bound inside the namespace."""
        def bound() -> socket.socket:
            made = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            made.bind((host, port))
            return made
        return self._inside(bound)

    def _inside(self, make: Callable[[], socket.socket]) -> socket.socket:
        """`make()` run by a thread that enters the namespace: the socket stays
        in it, usable from any thread."""
        made: list[socket.socket | BaseException] = []

        def enter_and_make() -> None:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(f"/proc/{self.holder.pid}/ns/net", os.O_RDONLY)
                try:
                    if libc.setns(fd, CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns")
                finally:
                    os.close(fd)
                made.append(make())
            except BaseException as exc:  # handed to the test's thread
                made.append(exc)

        thread = threading.Thread(target=enter_and_make)
        thread.start()
        thread.join()
        if isinstance(made[0], BaseException):
            raise made[0]
        return made[0]

    def close(self) -> None:
        self.holder.terminate()
        self.holder.wait(timeout=10)
