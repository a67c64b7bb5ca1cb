"""System > SIP: the SIP settings and the peer-to-peer account (SIP.*
parameters), the PBX accounts and the DTMF sequences (numbered parameter
groups), a test call, and what herald-sip says of its user agent, its
accounts and the call now. The page
stores parameters and asks herald-sip to call; herald-sip checks both."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald.bus import BusError
from herald.params import GroupError, ParamError, Snapshot
from herald.sip import contract
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.device import bus, params
from herald_web.status.sections import sip_facts
from herald_web.system import plain

# What herald-sip honours so far, in the manual's order.
SETTINGS = ("SIP.Enabled", "SIP.AllowIncoming", "SIP.CallTimeout", "SIP.MaxCallDuration",
            "SIP.Port", "SIP.RTPStartPort", "SIP.AudioCodecs", "SIP.PeerToPeer.UserID",
            "SIP.PeerToPeer.AutoAnswer", "SIP.PeerToPeer.AutoAnswerDelay",
            "SIP.PeerToPeer.SRTP")
# The numbered groups the page adds and removes: (template, parent, prefix, fields, what).
SEQUENCES = ("sipdtmf", contract.DTMF_SEQUENCES, "D", ("Sequence", "Description"),
             "DTMF sequence")
ACCOUNTS = ("sipaccount", contract.ACCOUNTS, "A", (
    "Name", "UserID", "AuthID", "Password", "CallerID", "Registrar", "RegistrarPort",
    "Transport", "AutoAnswer"), "SIP account")
GROUPS = {"sequence": SEQUENCES, "account": ACCOUNTS}
REFUSED = (ParamError, GroupError, BusError)  # BusError: herald-sip refused, or is not running


def _post(request: HttpRequest, snapshot: Snapshot) -> str:
    """Do what the form asks; returns the message for the next page."""
    action = request.POST.get("action", "")
    verb, _, kind = action.partition("-")
    if kind in GROUPS:
        template, parent, prefix, fields, what = GROUPS[kind]
        if verb == "add":
            added = params().add(template, parent, {
                f"{parent}.{prefix}.{name}": request.POST.get(name, "") for name in fields},
                Level.ADMIN)
            return f"Added {what} {added}."
        group = f"{parent}.{request.POST.get('group', '')}"
        if group not in snapshot.instances:
            raise GroupError(f"there is no {what} {group}")
        params().remove([group], Level.ADMIN)
        return f"Removed {what} {group.rsplit('.', 1)[1]}."
    if action == "call":
        address = request.POST.get("address", "")
        bus().call(contract.SERVICE, contract.DIAL, uri=address,
                   account=request.POST.get("account", ""))
        return f"Calling {address}."
    if action == "hangup":
        bus().call(contract.SERVICE, contract.HANGUP)
        return "Hung up."
    shown = {name: snapshot.get(name) for name in SETTINGS}
    changed = apply_params({name: value for name, value in plain.changes(
        request, snapshot, "SIP.").items() if name in shown}, Level.ADMIN,
        request.user.get_username())
    return f"Saved: {', '.join(changed)}." if changed else "No changes."


@page(Level.ADMIN)
def sip_page(request: HttpRequest) -> HttpResponse:
    snapshot = params().snapshot()
    if request.method == "POST":
        try:
            messages.success(request, _post(request, snapshot))
        except REFUSED as exc:
            messages.error(request, f"Refused, nothing changed: {exc}.")
        return redirect("system:sip")
    rows = [plain.row(snapshot.tree.resolve(name), snapshot.get(name), "SIP")
            for name in SETTINGS]
    sip = sip_facts(bus().state())
    registrations = {a.name: a for a in sip["status"].accounts} if sip else {}
    accounts = [{**made, "status": registrations.get(made["Name"])}
                for made in _made(snapshot, ACCOUNTS)]
    return render(request, "system/sip.html", {
        "section": "system", "page_key": "system.sip", "rows": rows, "sip": sip,
        "sequences": _made(snapshot, SEQUENCES), "accounts": accounts,
        "transports": snapshot.tree.resolve(f"{contract.ACCOUNTS}.A0.Transport"
                                            ).definition.param.type.values})


def _made(snapshot: Snapshot, groups: tuple) -> list[dict[str, str]]:
    """Each group made of `groups`' template: its number ("A0") and its fields
    (a secret left out)."""
    _, parent, _, fields, _ = groups
    return [{"group": group.rsplit(".", 1)[1], **{
        name: snapshot.get(f"{group}.{name}") for name in fields if name != "Password"}}
        for group in sorted(snapshot.instances) if group.startswith(parent + ".")]
