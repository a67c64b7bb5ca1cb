"""System > SNMP: the agent's settings (SNMP.* parameters), its trap
receivers, and its status as herald-snmp publishes it on the bus. The page
stores parameters only; the agent (firmware/herald/snmp) checks them and its
status says what it refused, so the page shows that under the form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald.params import GroupError, ParamError
from herald.snmp import contract
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.device import bus, params
from herald_web.system import plain

GROUP = "SNMP"
SETTINGS = ("SNMP.Enabled", "SNMP.V1", "SNMP.V2c", "SNMP.V1ReadCommunity",
            "SNMP.V1WriteCommunity", "SNMP.V3", "SNMP.InitialUserPasswd", "SNMP.Trap.Enabled",
            "SNMP.System.Contact", "SNMP.System.Location")
PASSWORD = "SNMP.InitialUserPasswd"
TRAPS = (("ColdStart", "Cold start"), ("WarmStart", "Warm start"), ("LinkUp", "Link up"),
         ("AuthFail", "Authentication failed"))


def _status() -> contract.SnmpStatus | None:
    raw = bus().state().get(contract.STATUS)
    return contract.SnmpStatus.from_dict(raw) if raw else None


def _settings_changes(request: HttpRequest, shown: list[str]) -> dict[str, str]:
    """What the form changes: a password only when one is typed."""
    snapshot = params().snapshot()
    changes = {}
    for name in shown:
        submitted = request.POST.get(name)
        if submitted is None or (name == PASSWORD and not submitted):
            continue
        if name == PASSWORD or submitted != snapshot.get(name):
            changes[name] = submitted
    return changes


def _post(request: HttpRequest, shown: list[str]) -> str:
    """Do what the form asks; returns the message for the next page."""
    store, by = params(), request.user.get_username()
    action = request.POST.get("action")
    if action == "add":
        values = {f"{contract.TRAP_PREFIX}.Address": request.POST.get("address", ""),
                  f"{contract.TRAP_PREFIX}.Community": request.POST.get("community", "")}
        values.update({f"{contract.TRAP_PREFIX}.{trap}.Enabled":
                       "yes" if request.POST.get(trap) else "no" for trap, _ in TRAPS})
        added = store.add("snmptrap", "SNMP.Trap", values, Level.ADMIN)
        return f"Added trap receiver {added}."
    if action == "remove":
        receiver = request.POST.get("receiver", "")
        store.remove([f"SNMP.Trap.{receiver}"], Level.ADMIN)
        return f"Removed trap receiver {receiver}."
    changed = apply_params(_settings_changes(request, shown), Level.ADMIN, by)
    return f"Saved: {', '.join(changed)}." if changed else "No changes."


@page(Level.ADMIN)
def snmp_page(request: HttpRequest) -> HttpResponse:
    status = _status()
    # The manual: the v3 password is set once; then its field is not shown.
    shown = [n for n in SETTINGS if not (n == PASSWORD and status and status.v3_password_set)]
    if request.method == "POST":
        try:
            messages.success(request, _post(request, shown))
        except (ParamError, GroupError) as exc:
            messages.error(request, f"Nothing was saved: {exc}.")
        return redirect("system:snmp")
    snapshot = params().snapshot()
    rows = [plain.row(snapshot.tree.resolve(name), snapshot.get(name), GROUP) for name in shown]
    receivers = [
        {"name": instance.rsplit(".", 1)[1], "address": snapshot.get(f"{instance}.Address"),
         "community": snapshot.get(f"{instance}.Community"),
         "traps": [title for trap, title in TRAPS
                   if snapshot.get(f"{instance}.{trap}.Enabled") == "yes"]}
        for instance in sorted(snapshot.instances) if instance.startswith(contract.TRAP_PREFIX)]
    return render(request, "system/snmp.html", {
        "section": "system", "page_key": "system.snmp", "rows": rows, "status": status,
        "receivers": receivers, "traps": TRAPS,
    })
