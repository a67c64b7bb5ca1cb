"""The SNMP agent's contract on the bus (herald-snmp serves it).

State:
    STATUS  `SnmpStatus`: whether the agent answers, on which port and versions,
            and what in the SNMP settings keeps a part of it off
Calls to SERVICE: the bus's PING, and
    SEND_TRAP(rule, message)  a rule's "Send SNMP trap": heraldRuleTrap (HERALD-MIB)
                              with the rule's name and message, to every trap
                              receiver; refused (TrapRefused) with the reason
                              when none gets it
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "snmp"
# The setting that turns the agent on: while it is off herald-snmp may rightly
# be idle, and /healthz does not ask it.
ENABLED = "SNMP.Enabled"
STATUS = "snmp.status"
SEND_TRAP = "send_trap"
MAX_TRAP_TEXT = 255  # bytes of a rule's name or message in a trap (a DisplayString)
# The trap receivers are the parameter groups SNMP.Trap.T0 ... (the page makes them).
TRAP_PREFIX = "SNMP.Trap.T"


@dataclass(frozen=True)
class SnmpStatus(Payload):
    running: bool  # the agent listens
    port: int
    versions: tuple[str, ...]  # "v1", "v2c", "v3" that it answers
    traps: int  # trap receivers in use
    v3_password_set: bool  # the manual: then the page shows no password field
    problems: tuple[str, ...] = ()  # each setting refused, in words for the page


class TrapRefused(Exception):
    """A rule's trap went to no receiver; the message says why, for the Rules page."""
