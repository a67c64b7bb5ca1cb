"""Telling systemd a service is ready (sd_notify's READY=1), so units ordered
after a Type=notify service start once it answers rather than beside its
start-up: on the device's slow CPUs the web admin answers sooner when the
other services do not compete with it for them."""

from __future__ import annotations

import os
import socket


def notify_ready() -> bool:
    """Say READY=1 to the service manager; False when none listens (not run by
    systemd, or not as Type=notify), which is no error."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(b"READY=1", address)
        except OSError:
            return False
    return True
