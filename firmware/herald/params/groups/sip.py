"""SIP: the settings of System > SIP > SIP settings (the manual's names and
defaults), the peer-to-peer account the device always has, and the DTMF
sequences. PBX accounts come as numbered groups later."""

from __future__ import annotations

import re
from dataclasses import dataclass

from herald.access import Level
from herald.params.tree import Group, Param, Template
from herald.params.types import Bool, Enum, Host, Int, Password, String
from herald.sip.contract import CODECS, MAX_ACCOUNTS, SRTP

PORT = Int(1024, 65535)
# The user part of a SIP URI (RFC 3261 25.1: unreserved and user-unreserved
# characters), without escapes: what a caller dials before the "@".
USER_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()&=+$,;?/]{1,64}")
DTMF_KEYS = re.compile(r"[0-9A-D#*]{1,32}")  # the manual's allowed characters
MAX_DTMF_SEQUENCES = 16
# The audio codecs calls may use, by the manual's names; the order is the priority.
TRANSPORTS = ("udp", "tcp", "tls")
# Characters that would end a value in baresip's account line.
ACCOUNT_SEPARATORS = set('";<>\\,')


@dataclass(frozen=True)
class SipUser:
    def parse(self, raw: str) -> str:
        if not USER_PART.fullmatch(raw):
            raise ValueError("must be 1 to 64 letters, digits or - _ . ! ~ * ' ( ) & = + $ , ; ? /"
                             " (the part of a SIP address before the @)")
        return raw

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "64"}


@dataclass(frozen=True)
class DtmfSequence:
    def parse(self, raw: str) -> str:
        if not DTMF_KEYS.fullmatch(raw.upper()):
            raise ValueError("must be 1 to 32 of the keys 0-9, A-D, # and *")
        return raw.upper()

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "32"}


@dataclass(frozen=True)
class CodecList:
    def parse(self, raw: str) -> str:
        names = [name.strip().lower() for name in raw.split(",")]
        unknown = [name for name in names if name not in CODECS]
        if unknown or not raw.strip():
            raise ValueError(f"must list one or more of {', '.join(CODECS)} by priority, "
                             f"comma separated (not {', '.join(unknown) or 'none'})")
        if len(set(names)) != len(names):
            raise ValueError("names a codec twice")
        return ",".join(names)

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "64"}


@dataclass(frozen=True)
class AccountText(String):
    """Printable text without the characters that separate an account's fields."""

    def parse(self, raw: str) -> str:
        if ACCOUNT_SEPARATORS & set(raw):
            raise ValueError('may not hold " ; < > \\ or ,')
        return super().parse(raw)


@dataclass(frozen=True)
class AccountSecret(AccountText, Password):
    pass


GROUPS = [
    Group("SIP", (
        Param("Enabled", Bool(), "no", "Enable SIP"),
        Param("AllowIncoming", Bool(), "yes", "Allow incoming calls"),
        Param("CallTimeout", Int(10, 300), "90", "Call timeout (s)"),
        Param("MaxCallDuration", Int(0, 86400), "0", "Maximum call duration (s, 0: none)"),
        Param("Port", PORT, "5060", "SIP port"),
        Param("TLSPort", PORT, "5061", "TLS port"),
        Param("RTPStartPort", PORT, "4000", "RTP start port"),
        Group("NAT", (
            Param("ICE", Bool(), "no"),
            Param("STUN", Bool(), "no"),
            Param("TURN", Bool(), "no"),
        )),
        Param("UDPToTCPSwitching", Bool(), "no", "UDP-to-TCP switching"),
        Param("AllowViaRewrite", Bool(), "no", "Allow via rewrite"),
        Param("AllowContactRewrite", Bool(), "no", "Allow contact rewrite"),
        Param("RegistrationInterval", Int(60, 86400), "900", "Register with server every (s)"),
        Param("DTMFPayloadType", Int(96, 127), "101", "DTMF payload type"),
        Param("AudioCodecs", CodecList(), ",".join(CODECS), "Audio codec priority"),
        Group("PeerToPeer", (
            Param("UserID", SipUser(), "herald", "User ID (sip:<user ID>@<device address>)"),
            Param("AutoAnswer", Bool(), "no", "Answer automatically"),
            Param("AutoAnswerDelay", Int(0, 60), "0", "Answer after (s)"),
            Param("SRTP", Enum(SRTP), "off", "Media encryption (SRTP)"),
        )),
        # PBX accounts: each registers with its registrar (SIP server).
        Group("Account", (
            Template("sipaccount", "A", (
                Param("Name", AccountText(64, 1), "PBX", "Name"),
                Param("UserID", SipUser(), "herald", "User ID"),
                Param("AuthID", AccountText(64), "", "Authentication ID (empty: the user ID)"),
                Param("Password", AccountSecret(64), "", "Password"),
                Param("CallerID", AccountText(64), "", "Caller ID"),
                Param("Registrar", Host(optional=False), "sip.example.com", "Registrar"),
                Param("RegistrarPort", PORT, "5060", "Registrar port"),
                Param("Transport", Enum(TRANSPORTS), "udp", "Transport mode"),
                Param("AutoAnswer", Bool(), "no", "Answer automatically"),
            ), max_groups=MAX_ACCOUNTS, nice_name="SIP account"),
        )),
        # DTMF sequences: keys a caller presses that start rules (the event
        # "DTMF", its ID the description).
        Group("DTMF", (
            Template("sipdtmf", "D", (
                Param("Sequence", DtmfSequence(), "#", "Sequence"),
                Param("Description", String(64, 1), "DTMF", "Description"),
            ), max_groups=MAX_DTMF_SEQUENCES, nice_name="DTMF sequence"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
