"""SNMP.System: the MIB-II sysContact and sysLocation, which a manager may set
with the write community (the manual's SNMP settings are in
herald.params.groups.snmp). Kept apart from the agent's own settings: a
write of these is not a change of SNMP setting that restarts the agent."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import String

GROUPS = [
    Group("SNMP", (
        Group("System", (
            Param("Contact", String(255), "", "Contact (sysContact)"),
            Param("Location", String(255), "", "Location (sysLocation)"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
