"""System > Logs > Remote system log: the servers the system log is sent to
(RemoteSyslog.S* parameter groups, added and removed here, administrators
only) and how herald-system fares with each (its status on the bus). The
add form's inputs come from the parameters' types, as on the other settings
pages; herald-system checks the CA certificate and says so in its status.
Sending is switched on and off here too (RemoteSyslog.Enabled, as
remotesyslog.cgi's enable and disable do); switched off is said above the
servers."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.params import GroupError, Snapshot
from herald.system import contract
from herald.system.syslog_settings import sending
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.device import bus, params
from herald_web.system import plain

FIELDS = (contract.SYSLOG_ADDRESS, contract.SYSLOG_PROTOCOL, contract.SYSLOG_PORT,
          contract.SYSLOG_FORMAT, contract.SYSLOG_SEVERITY, contract.SYSLOG_CA)


def _add_rows(snapshot: Snapshot) -> list[plain.Row]:
    """The add form: each field of a new server, named as `add` takes it."""
    rows = []
    for field in FIELDS:
        resolved = snapshot.tree.resolve(f"{contract.SYSLOG_PREFIX}0.{field}")
        assert resolved is not None
        row = plain.row(resolved, resolved.definition.default(), contract.SYSLOG_PREFIX + "0")
        rows.append(dataclasses.replace(row, name=f"{contract.SYSLOG_PREFIX}.{field}"))
    return rows


def facts() -> dict[str, Any]:
    """The section's part of the Logs page."""
    snapshot = params().snapshot()
    raw = bus().state().get(contract.REMOTE_SYSLOG)
    status = contract.RemoteSyslogStatus.from_dict(raw) if raw else None
    sent = {server.name: server for server in status.servers} if status else {}
    servers = [{"group": group, "name": group.rsplit(".", 1)[1],
                **{field: snapshot.get(f"{group}.{field}") for field in FIELDS},
                "status": sent.get(group)}
               for group in sorted(snapshot.instances) if group.startswith(contract.SYSLOG_PREFIX)]
    return {"syslog_rows": _add_rows(snapshot), "syslog_servers": servers,
            "syslog_status": status, "syslog_enabled": sending(snapshot),
            "syslog_max": contract.SYSLOG_MAX_SERVERS,
            "syslog_ports": contract.SYSLOG_DEFAULT_PORTS}


def switch_sending(on: bool, by: str) -> None:
    """RemoteSyslog.Enabled: the servers are sent to, or kept and not sent to."""
    apply_params({contract.SYSLOG_ENABLED: "yes" if on else "no"}, Level.ADMIN, by)


def _post(request: HttpRequest) -> str:
    store = params()
    action = request.POST.get("action")
    if action in ("enable", "disable"):
        switch_sending(action == "enable", request.user.get_username())
        return f"Sending to the servers is switched {'on' if action == 'enable' else 'off'}."
    if action == "remove":
        group = f"{contract.SYSLOG_PARENT}.{request.POST.get('server', '')}"
        if group not in store.snapshot().instances:
            raise GroupError(f"there is no server {group}")
        store.remove([group], Level.ADMIN)
        return f"Removed server {group.rsplit('.', 1)[1]}."
    names = [f"{contract.SYSLOG_PREFIX}.{field}" for field in FIELDS]
    added = store.add(contract.SYSLOG_TEMPLATE, contract.SYSLOG_PARENT, {
        name: request.POST[name] for name in names if name in request.POST}, Level.ADMIN)
    return f"Added server {added}."


@page(Level.ADMIN)
@require_POST
def remote_syslog(request: HttpRequest) -> HttpResponse:
    """Add or remove a server, or switch sending on or off; a bad field is
    refused with its name, nothing stored."""
    try:
        messages.success(request, _post(request))
    except GroupError as exc:
        messages.error(request, f"Nothing was saved: {exc}.")
    return redirect("system:logs")
