"""The Call service's SIP accounts: the PBX accounts (SIP.Account.A<n>
groups, Id "A0"...) and the device's peer-to-peer account (SIP.PeerToPeer.*,
Id "peer-to-peer"), with herald-sip's registration of each."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from herald.access import Level
from herald.params import GroupError, Snapshot
from herald.sip import contract
from herald_web.device import bus, params
from herald_web.status.sections import sip_facts
from herald_web.system.call_service.configuration import store
from herald_web.system.call_service.request import api, changes, required, section, values
from herald_web.system.sip import ACCOUNTS as ACCOUNT_GROUPS
from herald_web.vapix.jsonapi import JsonApiError

ACCOUNT = "SIPAccount"
PEER_TO_PEER = contract.PEER_TO_PEER_ACCOUNT  # the peer-to-peer account's Id and name
TEMPLATE, PARENT = ACCOUNT_GROUPS[0], ACCOUNT_GROUPS[1]
# A PBX account's fields: its group's parameters. The password is written, never read.
FIELDS = {
    "Name": ("Name", str), "UserID": ("UserID", str), "AuthenticationID": ("AuthID", str),
    "Password": ("Password", str), "CallerID": ("CallerID", str),
    "Registrar": ("Registrar", str), "RegistrarPort": ("RegistrarPort", int),
    "Transport": ("Transport", str), "AutoAnswer": ("AutoAnswer", bool),
}
READABLE = {field: kind for field, kind in FIELDS.items() if field != "Password"}
NEW_NEEDS = ("Name", "UserID", "Registrar")  # a new account's fields without a fit default
PEER_FIELDS = {
    "UserID": ("SIP.PeerToPeer.UserID", str), "AutoAnswer": ("SIP.PeerToPeer.AutoAnswer", bool),
    "AutoAnswerDelay": ("SIP.PeerToPeer.AutoAnswerDelay", int),
    "MediaEncryption": ("SIP.PeerToPeer.SRTP", str),
}


def groups(snapshot: Snapshot) -> list[str]:
    """The PBX accounts' Ids."""
    return [group.rsplit(".", 1)[1] for group in sorted(snapshot.instances)
            if group.startswith(PARENT + ".")]


def account(snapshot: Snapshot, id: str) -> dict[str, Any]:
    if id == PEER_TO_PEER:
        return {"Id": id, "Name": PEER_TO_PEER, **values(snapshot, PEER_FIELDS)}
    return {"Id": id, **values(snapshot, READABLE, f"{PARENT}.{id}.")}


def known(snapshot: Snapshot, id: str) -> str:
    """`id`, an account's there is."""
    if id != PEER_TO_PEER and id not in groups(snapshot):
        raise JsonApiError("invalid", f"no SIP account with Id {id[:20]!r} (they are "
                                      f"{', '.join([PEER_TO_PEER, *groups(snapshot)])})")
    return id


@api.method("axcall:GetSIPAccounts", Level.OPERATOR, versioned=False)
def get_accounts(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    snapshot = params().snapshot()
    return {"SIPAccounts": [account(snapshot, id)
                            for id in (PEER_TO_PEER, *groups(snapshot))]}


@api.method("axcall:GetSIPAccount", Level.OPERATOR, versioned=False)
def get_account(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    snapshot = params().snapshot()
    return {ACCOUNT: account(snapshot, known(snapshot, required(body, "Id", str)))}


@api.method("axcall:SetSIPAccount", Level.ADMIN, versioned=False)
def set_account(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """Change the account of the Id given; without an Id, add a PBX account."""
    given = section(body, ACCOUNT)
    snapshot = params().snapshot()
    fields = {key: value for key, value in given.items() if key != "Id"}
    if "Id" not in given:
        for name in NEW_NEEDS:
            required(fields, name, FIELDS[name][1], f"{ACCOUNT}.")
        try:
            id = params().add(TEMPLATE, PARENT, changes(
                fields, FIELDS, ACCOUNT, "a SIP account field", f"{PARENT}.A."), Level.ADMIN)
        except GroupError as exc:
            raise JsonApiError("invalid", str(exc)) from None
    elif (id := known(snapshot, required(given, "Id", str, f"{ACCOUNT}."))) == PEER_TO_PEER:
        store(request, changes(fields, PEER_FIELDS, ACCOUNT,
                               "a field of the peer-to-peer account"))
    else:
        store(request, changes(fields, FIELDS, ACCOUNT, "a SIP account field",
                               f"{PARENT}.{id}."))
    return {ACCOUNT: account(params().snapshot(), id)}


@api.method("axcall:RemoveSIPAccount", Level.ADMIN, versioned=False)
def remove_account(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    id = known(params().snapshot(), required(body, "Id", str))
    if id == PEER_TO_PEER:
        raise JsonApiError("invalid", "the peer-to-peer account is the device's own: it "
                                      "cannot be removed")
    params().remove([f"{PARENT}.{id}"], Level.ADMIN)
    return {}


def statuses(snapshot: Snapshot) -> list[dict[str, str]]:
    """Each account's registration as herald-sip says it; while SIP does not
    run, "off" and why."""
    sip = sip_facts(bus().state())
    running = sip is not None and sip["status"].running
    registrations = {a.name: a for a in sip["status"].accounts} if running else {}
    reason = sip["status"].reason if sip else "herald-sip has not started"
    found = []
    for id in (PEER_TO_PEER, *groups(snapshot)):
        name = PEER_TO_PEER if id == PEER_TO_PEER else snapshot.get(f"{PARENT}.{id}.Name")
        status = registrations.get(name)
        found.append({"Id": id, "Name": name,
                      "Registration": status.registration if status else "off",
                      "Reason": status.reason if status else reason})
    return found


@api.method("axcall:GetSIPAccountStatuses", Level.OPERATOR, versioned=False)
def get_statuses(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return {"SIPAccountStatuses": statuses(params().snapshot())}


@api.method("axcall:GetSIPAccountStatus", Level.OPERATOR, versioned=False)
def get_status(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    snapshot = params().snapshot()
    id = known(snapshot, required(body, "Id", str))
    return {"SIPAccountStatus": next(s for s in statuses(snapshot) if s["Id"] == id)}
