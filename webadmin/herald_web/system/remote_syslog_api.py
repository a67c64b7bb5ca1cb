"""/axis-cgi/remotesyslog.cgi (AXIS's Remote Syslog API, id remote-syslog),
administrators only: the servers of System > Logs > Remote system log, which
are the RemoteSyslog.S<n> parameter groups the page adds and herald-system
sends to (herald/system/remote_syslog.py).

How the API maps onto the parameters:

- `servers` is the whole list of groups. `setup` puts it in place of the
  groups there are in one transaction (ParamStore.replace_groups), so a
  refused server leaves every group as it was; `[]` removes them all. At most
  SYSLOG_MAX_SERVERS (4) servers, as the page allows (AXIS devices take 2).
- A server's fields are its group's parameters, checked by the parameters'
  own types (what the page refuses is refused here, in the same words):
  address = Address, port = Port, protocol = Protocol (UDP, TCP, TLS),
  syslogFormat = SyslogFormat (RFC3164, RFC5424, and Herald's Axis: the
  system log's own line), severity = Severity (the least severe level sent,
  as the page's filter: "warning" sends warning, error, critical, alert and
  emergency). A field left out takes the parameter's default; port 0 or left
  out is the protocol's default port, and `status` reports the port used.
- `enabled` is the one parameter RemoteSyslog.Enabled, beside the groups as
  AXIS's Enabled is beside its Server1 and Server2: "no" keeps the servers
  and herald-system sends to none. `enable` and `disable` set it; `setup`
  sets it when given and leaves it as it is when not.
- VAPIX has no field for the CA certificate of a TLS server (Herald's
  CACertificate, chosen on the page): a TLS server given again with the same
  address and port keeps it; any other server uses the system's CAs.
- `test` asks herald-system to queue a test message for every server now,
  whatever its severity; `data.servers` are those it was queued for. With
  sending switched off or no server, nothing is sent and the reply is an
  error saying so.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from herald.access import Level
from herald.params import Definition, GroupError, ParamError, Snapshot
from herald.system import contract
from herald.system.syslog_settings import read_servers, sending
from herald_web.device import call, params
from herald_web.system.remote_syslog import switch_sending
from herald_web.vapix.json_fields import only, pick
from herald_web.vapix.jsonapi import MODERN, JsonApi, JsonApiError

log = logging.getLogger(__name__)
api = JsonApi(versions=("1.0",), errors=MODERN)

# A server's fields in VAPIX: the parameter of its group, and the JSON type.
SERVER_FIELDS: dict[str, tuple[str, type]] = {
    "address": (contract.SYSLOG_ADDRESS, str),
    "port": (contract.SYSLOG_PORT, int),
    "protocol": (contract.SYSLOG_PROTOCOL, str),
    "syslogFormat": (contract.SYSLOG_FORMAT, str),
    "severity": (contract.SYSLOG_SEVERITY, str),
}
SETUP_PARAMS = ("servers", "enabled")


def _definition(name: str) -> Definition:
    """The template's parameter `name` (the first group's name resolves it:
    the groups are alike)."""
    resolved = params().tree.resolve(f"{contract.SYSLOG_PREFIX}0.{name}")
    assert resolved is not None, name
    return resolved.definition


def _server(entry: Any, where: str) -> dict[str, str]:
    """One server as its group's values ({"Address": ...}), each checked by
    its parameter's type; a field left out is not among them (its default)."""
    only(entry, SERVER_FIELDS, where, "a server field")
    if entry.get("address") is None:
        raise JsonApiError("missing", f"{where}.address is required")
    values = {}
    for field, (name, kind) in SERVER_FIELDS.items():
        given = pick(entry, field, kind, f"{where}.")
        if given is not None:
            try:
                values[name] = _definition(name).param.type.parse(str(given))
            except ValueError as exc:
                raise JsonApiError("invalid", f"{where}.{field}: {exc}") from None
    return values


def _port(values: dict[str, str]) -> int:
    """The port a server's values send to (0, or none given: the protocol's)."""
    protocol = values.get(contract.SYSLOG_PROTOCOL, _definition(contract.SYSLOG_PROTOCOL).default())
    port = int(values.get(contract.SYSLOG_PORT, _definition(contract.SYSLOG_PORT).default()))
    return port or contract.SYSLOG_DEFAULT_PORTS[protocol]


def _keep_certificates(snapshot: Snapshot, servers: list[dict[str, str]]) -> None:
    """A TLS server given again (same address and port) keeps its CA certificate."""
    chosen = {(server.address, server.port): snapshot.get(f"{server.name}.{contract.SYSLOG_CA}")
              for server in read_servers(snapshot, settings.ENVIRONMENT.certs_dir)
              if server.protocol == contract.TLS}
    for values in servers:
        if values.get(contract.SYSLOG_PROTOCOL) == contract.TLS:
            ca = chosen.get((values[contract.SYSLOG_ADDRESS], _port(values)), "")
            if ca:
                values[contract.SYSLOG_CA] = ca


def _configuration() -> dict[str, Any]:
    """`enabled` and the servers, as `setup` takes them (the ports those used)."""
    snapshot = params().snapshot()
    return {"enabled": sending(snapshot), "servers": [{
        "address": server.address, "port": server.port, "protocol": server.protocol,
        "syslogFormat": server.syslog_format, "severity": contract.SEVERITIES[server.severity],
    } for server in read_servers(snapshot, settings.ENVIRONMENT.certs_dir)]}


@api.method("setup", Level.ADMIN)
def setup(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """The servers become `servers`, every one checked before any is stored;
    sending is switched by `enabled` when given."""
    only(body, SETUP_PARAMS, "params", "a parameter of setup")
    given = pick(body, "servers", list, "params.")
    if given is None:
        raise JsonApiError("missing", "params.servers is required")
    if len(given) > contract.SYSLOG_MAX_SERVERS:
        raise JsonApiError("invalid", f"params.servers holds at most "
                                      f"{contract.SYSLOG_MAX_SERVERS} servers, not {len(given)}")
    enabled = pick(body, "enabled", bool, "params.")
    servers = [_server(entry, f"params.servers[{n}]") for n, entry in enumerate(given)]
    store = params()
    _keep_certificates(store.snapshot(), servers)
    if enabled is False:  # off before the new servers are started
        switch_sending(False, request.user.get_username())
    try:
        store.replace_groups(contract.SYSLOG_TEMPLATE, contract.SYSLOG_PARENT, [
            {f"{contract.SYSLOG_PREFIX}.{name}": value for name, value in values.items()}
            for values in servers], Level.ADMIN)
    except (ParamError, GroupError) as exc:
        raise JsonApiError("invalid", str(exc)) from None
    log.info("remote syslog servers set by %s: %d", request.user.get_username(), len(servers))
    if enabled:
        switch_sending(True, request.user.get_username())
    return _configuration()


@api.method("status", Level.ADMIN)
def status(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return _configuration()


@api.method("enable", Level.ADMIN)
def enable(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    switch_sending(True, request.user.get_username())
    return _configuration()


@api.method("disable", Level.ADMIN)
def disable(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    switch_sending(False, request.user.get_username())
    return _configuration()


@api.method("test", Level.ADMIN)
def send_test(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    answer = call(contract.SERVICE, contract.SYSLOG_TEST, by=request.user.get_username())
    if not answer.get("ok"):
        raise JsonApiError("invalid", "nothing was sent: " + answer.get(
            "message", "herald-system did not send the test message."))
    return {"sent": True, "servers": [
        {"address": server["address"], "port": server["port"], "protocol": server["protocol"]}
        for server in answer.get("servers", [])]}
