"""SIP: the settings of System > SIP > SIP settings (the manual's names and
defaults). Accounts and calls come with the SIP service."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import Bool, Int

PORT = Int(1024, 65535)

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
    ), read=Level.ADMIN, write=Level.ADMIN),
]
