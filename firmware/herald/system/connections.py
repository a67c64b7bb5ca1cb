"""Who is connected to the device: established TCP connections to its
listening ports, read from /proc (with the owning process where visible)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from herald.system.contract import Client

ESTABLISHED, LISTEN = "01", "0A"


def _address(hex_address: str) -> tuple[str, int]:
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        ip = ipaddress.IPv4Address(raw[::-1])
    else:  # four little-endian 32-bit words
        ip = ipaddress.IPv6Address(b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
        ip = ip.ipv4_mapped or ip
    return str(ip), int(port, 16)


def _sockets(proc: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            rows.append((fields[1], fields[2], fields[3], fields[9]))
    return rows


def _owners(proc: Path, inodes: set[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for pid in (p for p in os.listdir(proc) if p.isdigit()):
        try:
            for fd in os.scandir(proc / pid / "fd"):
                target = os.readlink(fd.path)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    name = (proc / pid / "comm").read_text().strip()
                    owners[target[8:-1]] = f"{pid}/{name}"
        except OSError:
            continue
    return owners


def connected(proc: Path = Path("/proc")) -> tuple[Client, ...]:
    rows = _sockets(proc)
    listening = {_address(local)[1] for local, _, state, _ in rows if state == LISTEN}
    incoming = [r for r in rows if r[2] == ESTABLISHED and _address(r[0])[1] in listening]
    owners = _owners(proc, {r[3] for r in incoming})
    found = []
    for local, remote, _, inode in incoming:
        address, _ = _address(remote)
        found.append(Client(address, _address(local)[1], "TCP", "established",
                            owners.get(inode, "")))
    return tuple(sorted(found, key=lambda c: (c.port, c.address)))
