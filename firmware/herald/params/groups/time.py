"""Time: how the device sets its clock, and its time zone."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import Bool, Enum, Host, String

GROUPS = [
    Group("Time", (
        Param("SyncSource", Enum(("NTP", "None")), "NTP", "Synchronization"),
        Param("ObtainFromDHCP", Bool(), "yes", "NTP servers from DHCP"),
        Group("NTP", (
            Param("Server", Host(), "", "NTP server"),
            Param("Server2", Host(), "", "Second NTP server"),
        )),
        Param("TimeZone", String(64), "Etc/UTC", "Time zone"),
        Param("POSIXTimeZone", String(64), "UTC0", "POSIX time zone"),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
