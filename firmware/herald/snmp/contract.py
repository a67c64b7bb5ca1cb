"""The SNMP agent's contract on the bus (herald-snmp serves it).

State:
    STATUS  `SnmpStatus`: whether the agent answers, on which port and versions,
            and what in the SNMP settings keeps a part of it off
Calls to SERVICE: the bus's PING.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "snmp"
STATUS = "snmp.status"
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
