"""The SIP service's contract on the bus (herald-sip serves it).

State:
    STATUS  `SipStatus`: whether the user agent runs, where it listens, each
            account's registration, and why it does not run when it does not
    CALL    `SipCall`: the call now. Each change is also the event
            state_event(CALL), so rules and pages follow a call as it goes
            IDLE -> RINGING (incoming) or CALLING (outgoing) -> ACTIVE ->
            TERMINATED -> IDLE (a refused or unanswered call skips ACTIVE).
Event DTMF {"sequence": `DtmfSequence`}: the caller of the active call pressed
        the keys of one of the DTMF sequences (SIP.DTMF.D<n>); the events
        service makes it the event rules use.
Calls to SERVICE, each answering {"ok": True} or failing with CallRefused
(the reason, naming the field at fault):
    DIAL(uri, account="")  call a SIP address from the account of that name
                (the default: the peer-to-peer account); the test call, a
                rule's "Make a SIP call"
    ANSWER()    answer the incoming call that rings (a rule's "Answer call",
                after the clip that announced it)
    HANGUP()    end the call now, whatever its state
    and the bus's PING.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from herald.payload import Payload

SERVICE = "sip"
# The setting that turns SIP on: while it is off herald-sip may rightly be
# idle, and /healthz does not ask it.
ENABLED = "SIP.Enabled"
STATUS = "sip.status"
CALL = "sip.call"
DIAL = "dial"
HANGUP = "hangup"
ANSWER = "answer"
DTMF = "sip.dtmf"
DTMF_SEQUENCES = "SIP.DTMF"  # the sequences are its numbered groups (D0, D1, ...)
ACCOUNTS = "SIP.Account"  # the PBX accounts: its numbered groups (A0, A1, ...)
MAX_URI = 255  # characters of an address DIAL takes

# SipCall.state
IDLE = "idle"
RINGING = "ringing"  # an incoming call not answered yet (the manual's "Ringing" state)
CALLING = "calling"  # an outgoing call not answered yet
ACTIVE = "active"  # answered: audio flows
TERMINATED = "terminated"  # ended; `reason` says how
# SipCall.direction
INCOMING, OUTGOING = "incoming", "outgoing"

# AccountStatus.registration
PEER_TO_PEER = "peer-to-peer"  # registers nowhere: callers dial the device itself
REGISTERING = "registering"
REGISTERED = "registered"
FAILED = "failed"

PEER_TO_PEER_ACCOUNT = "peer-to-peer"  # the account's name: made by the device


@dataclass(frozen=True)
class AccountStatus:
    name: str
    uri: str  # the account's own address (its address of record)
    registration: str  # PEER_TO_PEER, REGISTERING, REGISTERED or FAILED
    reason: str = ""  # why registering failed, as the server said


@dataclass(frozen=True)
class SipStatus(Payload):
    running: bool  # the user agent answers calls
    port: int = 0  # the SIP port it listens on
    accounts: tuple[AccountStatus, ...] = ()
    reason: str = ""  # why it does not run, in words for the page and the log
    incoming: bool = False  # incoming calls are taken (SIP.AllowIncoming), as now applied


@dataclass(frozen=True)
class SipCall(Payload):
    state: str  # IDLE, RINGING, CALLING, ACTIVE or TERMINATED
    direction: str = ""  # INCOMING or OUTGOING; "" while IDLE
    peer: str = ""  # the other party's SIP address
    account: str = ""  # the account's address the call is on
    reason: str = ""  # TERMINATED: why it ended
    since: float = 0.0  # when it entered this state (UNIX time)


@dataclass(frozen=True)
class DtmfSequence(Payload):
    id: str  # the sequence's group: "D0"
    keys: str  # what was pressed: the sequence
    description: str  # the manual's "DTMF Event ID" that rules name
    peer: str  # who pressed them


class CallRefused(Exception):
    """A DIAL or HANGUP the service cannot do; the message says why."""

# The settings' vocabulary (SIP.* parameters), which the Call service API speaks too.
CODECS = ("opus", "g722", "pcmu", "pcma")  # Opus, G.722, G.711 µ-law, G.711 A-law
SRTP = ("off", "optional", "required")  # media encryption
MAX_ACCOUNTS = 8


# SIP addresses as a request names them (a test call, a rule's "Make a SIP
# call", the Call service API), checked once here for all of them.
SIP_URI = re.compile(r"sips?:[^\s<>\"]+", re.ASCII)


def uri_problem(uri: Any, field: str = "uri") -> str:
    """Why `uri` is not an address that can be called ("" when it is), naming `field`."""
    if not isinstance(uri, str) or not 0 < len(uri) <= MAX_URI:
        return f"{field}: a SIP address of 1 to {MAX_URI} characters"
    if not SIP_URI.fullmatch(uri) or not uri.split(":", 1)[1].strip("@"):
        return f"{field}: {uri!r} is not a SIP address (sip:user@host or sips:user@host)"
    return ""
