"""SIP: the settings of System > SIP > SIP settings (the manual's names and
defaults), and the peer-to-peer account the device always has. PBX accounts
come as numbered groups later."""

from __future__ import annotations

import re
from dataclasses import dataclass

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import Bool, Int

PORT = Int(1024, 65535)
# The user part of a SIP URI (RFC 3261 25.1: unreserved and user-unreserved
# characters), without escapes: what a caller dials before the "@".
USER_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()&=+$,;?/]{1,64}")


@dataclass(frozen=True)
class SipUser:
    def parse(self, raw: str) -> str:
        if not USER_PART.fullmatch(raw):
            raise ValueError("must be 1 to 64 letters, digits or - _ . ! ~ * ' ( ) & = + $ , ; ? /"
                             " (the part of a SIP address before the @)")
        return raw

    def schema(self) -> tuple[str, dict[str, str]]:
        return "string", {"maxlen": "64"}


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
        Group("PeerToPeer", (
            Param("UserID", SipUser(), "herald", "User ID (sip:<user ID>@<device address>)"),
            Param("AutoAnswer", Bool(), "no", "Answer automatically"),
            Param("AutoAnswerDelay", Int(0, 60), "0", "Answer after (s)"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
