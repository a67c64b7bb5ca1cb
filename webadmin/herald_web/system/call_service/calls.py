"""The Call service's calls: herald-sip's one line. Call is its DIAL (as
System > SIP's test call), TerminateCall its HANGUP, and the call's status
its state on the bus; the line's one call always has CallId "1"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from herald.access import Level
from herald.bus import BusError, CallFailed
from herald.sip import contract
from herald.sip.contract import uri_problem
from herald_web.device import bus, params
from herald_web.status.sections import sip_facts
from herald_web.system.call_service.accounts import PARENT, PEER_TO_PEER, known
from herald_web.system.call_service.request import api, given, required
from herald_web.vapix.jsonapi import JsonApiError

CALL_ID = "1"


def ask(method: str, **fields: str) -> None:
    """herald-sip's call; its refusal (the reason, naming the field) is the reply's."""
    try:
        bus().call(contract.SERVICE, method, **fields)
    except CallFailed as exc:
        raise JsonApiError("invalid", str(exc)) from None
    except BusError as exc:
        raise JsonApiError("internal", f"herald-sip did not answer ({exc})") from None


def current() -> contract.SipCall | None:
    """The call on the line, or None when it is idle."""
    sip = sip_facts(bus().state())
    return sip["call"] if sip and sip["call"].state != contract.IDLE else None


def status(call: contract.SipCall) -> dict[str, Any]:
    return {"CallId": CALL_ID, "State": call.state, "Direction": call.direction,
            "RemoteURI": call.peer, "AccountURI": call.account, "Reason": call.reason,
            "Since": call.since}


def the_call(body: dict[str, Any]) -> contract.SipCall:
    """The call `body`'s CallId names, which is on the line now."""
    id = required(body, "CallId", str)
    call = current()
    if id != CALL_ID or call is None:
        raise JsonApiError("invalid", f"no call with CallId {id[:20]!r} "
                                      f"({'the line is idle' if call is None else 'it is 1'})")
    return call


@api.method("axcall:Call", Level.OPERATOR, versioned=False)
def make_call(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """Call the SIP address `To` from the account `AccountId` (the default: peer to peer)."""
    problem = uri_problem(body.get("To"), "To")
    if problem:
        raise JsonApiError("invalid", problem)
    name, account = "", given(body, "AccountId", str)
    if account not in (None, PEER_TO_PEER):
        snapshot = params().snapshot()
        name = snapshot.get(f"{PARENT}.{known(snapshot, account)}.Name")
    ask(contract.DIAL, uri=body["To"], account=name)
    return {"CallId": CALL_ID}


@api.method("axcall:TerminateCall", Level.OPERATOR, versioned=False)
def terminate_call(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    the_call(body)
    ask(contract.HANGUP)
    return {}


@api.method("axcall:GetCallStatus", Level.OPERATOR, versioned=False)
def get_call_status(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return {"CallStatus": status(the_call(body))}


@api.method("axcall:GetCallStatuses", Level.OPERATOR, versioned=False)
def get_call_statuses(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    call = current()
    return {"CallStatuses": [status(call)] if call else []}
