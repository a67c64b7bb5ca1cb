"""SNMP: agent versions, communities, the v3 initial password, trap receivers."""

from herald.access import Level
from herald.params.tree import Group, Param, Template
from herald.params.types import Bool, Host, Password, String

GROUPS = [
    Group("SNMP", (
        Param("Enabled", Bool(), "no"),
        Param("V1", Bool(), "no", "SNMP v1"),
        Param("V2c", Bool(), "no", "SNMP v2c"),
        Param("V1ReadCommunity", String(64, 1), "public", "Read community"),
        Param("V1WriteCommunity", String(64, 1), "write", "Write community"),
        Param("V3", Bool(), "no", "SNMP v3"),
        Param("InitialUserPasswd", Password(64), "", "Initial password for the v3 user"),
        Group("Trap", (
            Param("Enabled", Bool(), "no", "Traps"),
            Template("snmptrap", "T", (
                Param("Address", Host(optional=False), "", "Trap receiver"),
                Param("Community", String(64, 1), "public", "Trap community"),
                Group("AuthFail", (Param("Enabled", Bool(), "no"),)),
                Group("ColdStart", (Param("Enabled", Bool(), "no"),)),
                Group("LinkUp", (Param("Enabled", Bool(), "no"),)),
                Group("WarmStart", (Param("Enabled", Bool(), "no"),)),
            ), max_groups=4, nice_name="Trap receiver"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
