"""System > Logs > Remote system log: the servers the system log goes to
(herald/system/remote_syslog.py sends it). The names are Herald's guesses in
AXIS's style, after VAPIX remotesyslog.cgi's server fields (address, port,
protocol, syslogFormat, severity) and its one switch, Enabled, that keeps the
servers but sends to none while "no"; the constants live in herald/system/contract.py."""

from herald.access import Level
from herald.params.tree import Group, Param, Template
from herald.params.types import Bool, Enum, Host, Int, String
from herald.system import contract as c

GROUPS = [
    Group(c.SYSLOG_PARENT, (
        Param(c.SYSLOG_ENABLED.rsplit(".", 1)[1], Bool(), "yes", "Send to the servers"),
        Template(c.SYSLOG_TEMPLATE, c.SYSLOG_PREFIX.rsplit(".", 1)[1], (
            Param(c.SYSLOG_ADDRESS, Host(optional=False), "", "Host"),
            Param(c.SYSLOG_PORT, Int(0, 65535), "0", "Port (0: the protocol's default)"),
            Param(c.SYSLOG_PROTOCOL, Enum(c.SYSLOG_PROTOCOLS), c.UDP, "Protocol"),
            Param(c.SYSLOG_FORMAT, Enum(c.SYSLOG_FORMATS), c.FORMAT_RFC3164, "Format"),
            Param(c.SYSLOG_SEVERITY, Enum(c.SEVERITIES), "info",
                  "Severity (this and more severe are sent)"),
            Param(c.SYSLOG_CA, String(128), "", "CA certificate for TLS (file in certs/; "
                                               "empty: the system's)"),
        ), max_groups=c.SYSLOG_MAX_SERVERS, nice_name="Remote syslog server"),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
