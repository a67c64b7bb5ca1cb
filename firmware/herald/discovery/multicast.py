"""What SSDP and WS-Discovery share: a UDP socket in a multicast group, the
device's own address as seen by an asker, and a bound on how much it answers
(a spoofed asker must not turn the device into an amplifier)."""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import time
from collections.abc import Callable
from typing import cast

log = logging.getLogger(__name__)

MAX_ANSWERS_PER_SECOND = 20  # all askers together


def group_socket(group: str, port: int, interface: str = "0.0.0.0") -> socket.socket:
    """A non-blocking UDP socket on `port` that hears `group` on `interface`
    (an address of the interface; 0.0.0.0: the kernel's choice)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("", port))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                        struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(interface)))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def address_towards(asker: str) -> str:
    """The device's address on the route to `asker`: the one to tell it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((asker, 9))
        return probe.getsockname()[0]


class AnswerBudget:
    """At most `per_second` answers a second, whoever asks."""

    def __init__(self, per_second: int = MAX_ANSWERS_PER_SECOND) -> None:
        self.per_second = per_second
        self.window = 0
        self.spent = 0

    def allow(self) -> bool:
        now = int(time.monotonic())
        if now != self.window:
            self.window, self.spent = now, 0
        self.spent += 1
        return self.spent <= self.per_second


class Responder(asyncio.DatagramProtocol):
    """A multicast responder: `answer` sends one answer to the asker alone,
    within the budget, made for the device's address towards it."""

    def __init__(self) -> None:
        self.budget = AnswerBudget()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def answer(self, asker: tuple[str, int], make: Callable[[str], bytes]) -> None:
        if self.transport is None or not self.budget.allow():
            return
        try:
            here = address_towards(asker[0])
        except OSError:
            return
        self.transport.sendto(make(here), asker)

    def error_received(self, exc: Exception) -> None:
        log.debug("%s: %s", type(self).__name__, exc)
