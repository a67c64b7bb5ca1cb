"""The system service's contract on the bus (herald-system runs it).

State (for the Status page, refreshed every few seconds when it changes):
    TIME     `TimeSync`: whether the clock is synchronized, and from where
    CLIENTS  `Clients`: the established connections to the device's ports
    NETWORK  `Network`: each network interface (not loopback), whether its link
             is up and its IP addresses, looked at every NETWORK_SECONDS (the
             events service's "network lost" and "address added/removed")
Event:
    RESTARTING  `Restarting`: someone asked the device to restart
Calls to SERVICE; each answers {"ok": True} or {"ok": False, "message"}:
    RESTART(by)        restart the device now
    RESET(mode, by)    record a reset (a mode of RESET_MODES) and clear the
                       firmware's part; the caller clears its own part of the
                       data (reset.py: the web admin's database), then asks
                       RESTART. The device is back to default after the restart.
    SET_TIME(utc, by)  set the clock by hand to `utc` (ISO 8601 with its
                       offset), only while Time.SyncSource is "None" (Custom
                       date and time)
    SYSLOG_TEST(by)    send a test message to every remote syslog server now,
                       whatever its severity; answers "servers": a
                       `SyslogServer` dict for each it was queued for
    SYSTEM_LOG(text)   the system log (system_log.py: Herald's log file and the
                       journal, which the web admin may not read) as "log",
                       only the lines containing `text` when it is not empty
    COREDUMP_INFO(name)  `coredumpctl info` of the core dump file `name` in
                       the environment's coredump_dir (coredumps.py; it reads
                       the journal) as "info"

The Time.* settings (params/groups/time.py, the names below) are applied as
they change: chrony's sources and the time zone (time_settings.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "system"
TIME = "system.time"
CLIENTS = "system.clients"
NETWORK = "system.network"
NETWORK_SECONDS = 2.0
RESTARTING = "system.restarting"

RESTART = "restart"
RESET = "reset"
SET_TIME = "set_time"
SYSLOG_TEST = "remote_syslog_test"
SYSTEM_LOG = "system_log"
SYSTEM_LOG_TEXT_CHARS = 200  # the longest text the system log is searched for
COREDUMP_INFO = "coredump_info"

# System > Date and time: the Time.* parameters and their values.
SYNC_SOURCE = "Time.SyncSource"
OBTAIN_FROM_DHCP = "Time.ObtainFromDHCP"
TIME_ZONE_FROM_DHCP = "Time.ObtainTimeZoneFromDHCP"
NTP_SERVER = "Time.NTP.Server"
NTP_SERVER2 = "Time.NTP.Server2"
TIME_ZONE = "Time.TimeZone"
POSIX_TIME_ZONE = "Time.POSIXTimeZone"
TIME_SETTINGS = (SYNC_SOURCE, OBTAIN_FROM_DHCP, NTP_SERVER, NTP_SERVER2, TIME_ZONE_FROM_DHCP,
                 TIME_ZONE, POSIX_TIME_ZONE)
SYNC_NTP, SYNC_NTS, SYNC_NONE = "NTP", "NTS", "None"
# Device location, on the same page: where the device is, for a video
# management system's map.
LATITUDE = "Geolocation.Latitude"
LONGITUDE = "Geolocation.Longitude"
HEADING = "Geolocation.Heading"
LOCATION_LABEL = "Geolocation.Label"
LOCATION = (LATITUDE, LONGITUDE, HEADING, LOCATION_LABEL)
DEFAULT_TIME_ZONE, DEFAULT_POSIX_TIME_ZONE = "Etc/UTC", "UTC0"

RESTORE = "restore"  # the network settings the manual lists stay
HARD = "hard"  # factory default: nothing stays
RESET_MODES = (RESTORE, HARD)


@dataclass(frozen=True)
class TimeSync(Payload):
    source: str | None  # "chrony", "timesyncd", or None when no time service answers
    synchronized: bool | None  # None: unknown
    server: str = ""  # the NTP server in use, when synchronized
    next_sync_s: int | None = None  # seconds until the next poll, when chrony knows
    problem: str = ""  # why the Date and time settings are not applied, if they are not


@dataclass(frozen=True)
class Client:
    """One established connection to one of the device's listening ports."""

    address: str
    port: int  # the device's port the client connected to
    protocol: str
    state: str
    process: str  # "pid/name" of the server when visible, else ""


@dataclass(frozen=True)
class Clients(Payload):
    clients: tuple[Client, ...]


@dataclass(frozen=True)
class NetworkInterface:
    name: str
    up: bool  # the interface is up and has a link (carrier)
    addresses: tuple[str, ...]  # its IPv4 and IPv6 addresses, without prefix length


@dataclass(frozen=True)
class Network(Payload):
    interfaces: tuple[NetworkInterface, ...]


@dataclass(frozen=True)
class Restarting(Payload):
    by: str  # who asked, as the system log names them


# System > Logs > Remote system log: each server a parameter group
# RemoteSyslog.S0 ... (params/groups/remote_syslog.py; the names are Herald's,
# after VAPIX remotesyslog.cgi's fields). herald-system sends the system log
# to each (remote_syslog.py) and keeps REMOTE_SYSLOG, a `RemoteSyslogStatus`.
REMOTE_SYSLOG = "system.remote_syslog"
SYSLOG_TEMPLATE = "remotesyslog"
SYSLOG_PARENT = "RemoteSyslog"
SYSLOG_PREFIX = "RemoteSyslog.S"
SYSLOG_MAX_SERVERS = 4
# "no": nothing is sent to any server, which are kept (remotesyslog.cgi disable).
SYSLOG_ENABLED = "RemoteSyslog.Enabled"
SYSLOG_ADDRESS, SYSLOG_PORT, SYSLOG_PROTOCOL = "Address", "Port", "Protocol"
SYSLOG_FORMAT, SYSLOG_SEVERITY, SYSLOG_CA = "SyslogFormat", "Severity", "CACertificate"
UDP, TCP, TLS = "UDP", "TCP", "TLS"
SYSLOG_PROTOCOLS = (UDP, TCP, TLS)
SYSLOG_DEFAULT_PORTS = {UDP: 514, TCP: 601, TLS: 6514}
FORMAT_AXIS, FORMAT_RFC3164, FORMAT_RFC5424 = "Axis", "RFC3164", "RFC5424"
SYSLOG_FORMATS = (FORMAT_AXIS, FORMAT_RFC3164, FORMAT_RFC5424)
# Severities by their syslog number (0 emergency ... 7 debug).
SEVERITIES = ("emergency", "alert", "critical", "error", "warning", "notice", "info", "debug")
SYSLOG_QUEUE = 256  # lines kept for a server that is away; more are dropped (counted)


@dataclass(frozen=True)
class SyslogServer:
    """One remote syslog server as herald-system sends to it."""

    name: str  # its parameter group, "RemoteSyslog.S0"
    address: str
    port: int
    protocol: str
    syslog_format: str
    severity: str  # this and more severe are sent
    connected: bool  # UDP: the socket is open; TCP, TLS: the connection is up
    sent: int = 0
    dropped: int = 0  # lines lost: the queue of SYSLOG_QUEUE was full, or a send failed
    problem: str = ""  # why nothing is sent now, in words for the page


@dataclass(frozen=True)
class RemoteSyslogStatus(Payload):
    servers: tuple[SyslogServer, ...]
    queue: int = SYSLOG_QUEUE
