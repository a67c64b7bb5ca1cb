"""The remote syslog servers as stored (the RemoteSyslog.* parameters), read
the same way by herald-system, which sends to them, and by the web admin's
page and remotesyslog.cgi, which show them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from herald.params import Snapshot
from herald.system import contract


@dataclass(frozen=True)
class ServerSettings:
    name: str
    address: str
    port: int
    protocol: str
    syslog_format: str
    severity: int
    ca_file: Path | None = None
    problem: str = ""  # a setting that keeps it from sending (the CA file missing)


def sending(snapshot: Snapshot) -> bool:
    """Whether the servers are sent to (RemoteSyslog.Enabled)."""
    return snapshot.get(contract.SYSLOG_ENABLED) == "yes"


def read_servers(snapshot: Snapshot, certs: Path) -> list[ServerSettings]:
    """Each server's settings (checked by their types when stored); a CA
    certificate that is not in the certificate store is the server's problem."""
    servers = []
    for group in sorted(i for i in snapshot.instances if i.startswith(contract.SYSLOG_PREFIX)):
        def value(field: str, group: str = group) -> str:
            return snapshot.get(f"{group}.{field}")
        protocol = value(contract.SYSLOG_PROTOCOL)
        ca_name, ca_file, problem = value(contract.SYSLOG_CA), None, ""
        if ca_name and protocol == contract.TLS:
            ca_file = certs / ca_name
            if "/" in ca_name or ca_name.startswith(".") or not ca_file.is_file():
                problem = f"The CA certificate {ca_name!r} is not in the certificate store."
        servers.append(ServerSettings(
            group, value(contract.SYSLOG_ADDRESS),
            int(value(contract.SYSLOG_PORT)) or contract.SYSLOG_DEFAULT_PORTS[protocol],
            protocol, value(contract.SYSLOG_FORMAT),
            contract.SEVERITIES.index(value(contract.SYSLOG_SEVERITY)), ca_file, problem))
    return servers
