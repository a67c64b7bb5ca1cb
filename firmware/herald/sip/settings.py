"""The SIP settings (SIP.* parameters) as the service uses them, checked once
here. The parameters' own types refuse a bad value before it is stored; what
only a combination makes wrong is a problem in words for the status and the
log, and SIP stays off until it is put right."""

from __future__ import annotations

from dataclasses import dataclass

from herald.params import Snapshot
from herald.sip.contract import ACCOUNTS, DTMF_SEQUENCES

RTP_PORTS = 100  # ports from SIP.RTPStartPort on, two (RTP and RTCP) for each call


@dataclass(frozen=True)
class Account:
    """A PBX account (SIP.Account.A<n>): registers with its registrar."""

    id: str  # its group: "A0"
    name: str
    user: str
    auth_user: str  # "" : the user ID
    password: str
    caller_id: str
    registrar: str
    port: int
    transport: str
    auto_answer: bool

    @property
    def uri(self) -> str:
        """Its address of record, as baresip names the account in its events."""
        return f"sip:{self.user}@{self.registrar}:{self.port}"


@dataclass(frozen=True)
class UserAgent:
    """What baresip is started with: a change of any of these starts it again
    (and ends a call under way); the other settings apply to the next call."""

    port: int
    rtp_ports: tuple[int, int]  # first and last
    user: str  # the peer-to-peer account's user ID
    codecs: tuple[str, ...]  # SIP.AudioCodecs' names, by priority
    srtp: str  # "off", "optional" or "required"
    accounts: tuple[Account, ...] = ()
    registration_interval: int = 900  # seconds


@dataclass(frozen=True)
class Sequence:
    id: str  # its group: "D0"
    keys: str
    description: str


@dataclass(frozen=True)
class SipSettings:
    enabled: bool
    agent: UserAgent
    allow_incoming: bool
    call_timeout: int  # seconds a call may ring unanswered
    max_duration: int  # seconds an answered call may last; 0: no limit
    auto_answer: bool
    answer_delay: int  # seconds
    sequences: tuple[Sequence, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def runs(self) -> bool:
        return self.enabled and not self.problems


def read_settings(snapshot: Snapshot) -> SipSettings:
    def yes(name: str) -> bool:
        return snapshot.get(name) == "yes"

    def number(name: str) -> int:
        return int(snapshot.get(name))

    port, first = number("SIP.Port"), number("SIP.RTPStartPort")
    rtp = (first, min(first + RTP_PORTS - 1, 65535))
    problems = []
    if rtp[0] <= port <= rtp[1]:
        problems.append(f"The SIP port {port} is among the RTP ports {rtp[0]}-{rtp[1]} "
                        "(from SIP.RTPStartPort): SIP is off until they differ.")
    if rtp[1] - rtp[0] < 1:
        problems.append(f"SIP.RTPStartPort {first} leaves no room for a call's RTP and RTCP "
                        "ports: SIP is off until it is lower.")
    return SipSettings(
        enabled=yes("SIP.Enabled"),
        agent=UserAgent(port=port, rtp_ports=rtp, user=snapshot.get("SIP.PeerToPeer.UserID"),
                        codecs=tuple(snapshot.get("SIP.AudioCodecs").split(",")),
                        srtp=snapshot.get("SIP.PeerToPeer.SRTP"),
                        accounts=_accounts(snapshot),
                        registration_interval=number("SIP.RegistrationInterval")),
        allow_incoming=yes("SIP.AllowIncoming"),
        call_timeout=number("SIP.CallTimeout"),
        max_duration=number("SIP.MaxCallDuration"),
        auto_answer=yes("SIP.PeerToPeer.AutoAnswer"),
        answer_delay=number("SIP.PeerToPeer.AutoAnswerDelay"),
        sequences=tuple(
            Sequence(group.rsplit(".", 1)[1], snapshot.get(f"{group}.Sequence"),
                     snapshot.get(f"{group}.Description"))
            for group in sorted(snapshot.instances) if group.startswith(DTMF_SEQUENCES + ".")),
        problems=tuple(problems),
    )


def _accounts(snapshot: Snapshot) -> tuple[Account, ...]:
    def field(group: str, name: str) -> str:
        return snapshot.get(f"{group}.{name}")

    return tuple(
        Account(group.rsplit(".", 1)[1], field(group, "Name"), field(group, "UserID"),
                field(group, "AuthID"), field(group, "Password"), field(group, "CallerID"),
                field(group, "Registrar"), int(field(group, "RegistrarPort")),
                field(group, "Transport"), field(group, "AutoAnswer") == "yes")
        for group in sorted(snapshot.instances) if group.startswith(ACCOUNTS + "."))
