"""Time: how the device sets its clock, and its time zone (System > Date and
time; their names in herald/system/contract.py). herald-system applies them
(herald/system/time_settings.py).

SyncSource, in the manual's words: NTP is "Automatic date and time" with the
NTP servers from DHCP (ObtainFromDHCP, NTP.Server and NTP.Server2 the
fallback servers) or the manual ones; NTS is "Automatic date and time (manual
NTS KE servers)", the two servers by NTS key establishment; None is "Custom
date and time", set once by hand. TimeZone is an IANA name, or empty while a
POSIX time zone set alone (VAPIX setPosixTimeZone) is the one in use; with
ObtainTimeZoneFromDHCP, herald-system stores the zone DHCP gives in it.

Geolocation: the manual's Device location on the same page, empty until set."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import Bool, Decimal, Enum, Host, PosixTimeZone, String, TimeZone
from herald.system.contract import (
    DEFAULT_POSIX_TIME_ZONE,
    DEFAULT_TIME_ZONE,
    SYNC_NONE,
    SYNC_NTP,
    SYNC_NTS,
)

GROUPS = [
    Group("Time", (
        Param("SyncSource", Enum((SYNC_NTP, SYNC_NTS, SYNC_NONE)), SYNC_NTP, "Synchronization"),
        Param("ObtainFromDHCP", Bool(), "yes", "NTP servers from DHCP"),
        Group("NTP", (
            Param("Server", Host(), "", "NTP server"),
            Param("Server2", Host(), "", "Second NTP server"),
        )),
        Param("ObtainTimeZoneFromDHCP", Bool(), "no", "Time zone from DHCP"),
        Param("TimeZone", TimeZone(optional=True), DEFAULT_TIME_ZONE, "Time zone"),
        Param("POSIXTimeZone", PosixTimeZone(), DEFAULT_POSIX_TIME_ZONE, "POSIX time zone"),
    ), read=Level.ADMIN, write=Level.ADMIN),
    Group("Geolocation", (
        Param("Latitude", Decimal(-90, 90), "", "Latitude (positive: north of the equator)"),
        Param("Longitude", Decimal(-180, 180), "",
              "Longitude (positive: east of the prime meridian)"),
        Param("Heading", Decimal(0, 360), "", "Heading (compass degrees, 0 is due north)"),
        Param("Label", String(64), "", "Label"),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
