"""Network: addressing, names and discovery. Boot protocol, address, router
and mask survive a restore to factory default (see `KEPT_ON_RESTORE`)."""

from herald.access import Level
from herald.params.groups.brand import PRODUCT_NUMBER
from herald.params.tree import Group, Param
from herald.params.types import Address, Bool, Enum, Host, String
from herald.system.identity import this_device

# The SSH server runs while this is on (herald.system.on_demand); off by
# default, as on AXIS devices.
SSH_ENABLED = "Network.SSH.Enabled"

KEPT_ON_RESTORE = frozenset({
    "Network.BootProto", "Network.IPAddress", "Network.SubnetMask", "Network.DefaultRouter",
})


def friendly_name() -> str:
    return f"Herald {PRODUCT_NUMBER} - {this_device().serial}"


GROUPS = [
    Group("Network", (
        Param("BootProto", Enum(("dhcp", "none")), "dhcp", "Boot protocol"),
        Param("IPAddress", Address(), "192.168.0.90", "IP address"),
        Param("SubnetMask", Address(), "255.255.255.0", "Subnet mask"),
        Param("DefaultRouter", Address(optional=True), "", "Default router"),
        Param("HostName", Host(optional=False), lambda: this_device().hostname, "Host name"),
        Param("DomainName", Host(), "", "Domain name"),
        Param("NameServer1", Address(optional=True), "", "Primary DNS server"),
        Param("NameServer2", Address(optional=True), "", "Secondary DNS server"),
        Group("eth0", (
            Param("MACAddress", String(), lambda: this_device().mac, "MAC address",
                  write=Level.ROOT, computed=True),
        )),
        Group("Bonjour", (
            Param("Enabled", Bool(), "yes", "Bonjour"),
            Param("FriendlyName", String(), friendly_name, "Bonjour name"),
        )),
        Group("UPnP", (
            Param("Enabled", Bool(), "yes", "UPnP"),
            Param("FriendlyName", String(), friendly_name, "UPnP name"),
        )),
        Group("SSH", (
            Param("Enabled", Bool(), "no", "SSH"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
    Group("WebService", (
        Group("DiscoveryMode", (
            Param("Discoverable", Bool(), "yes", "WS-Discovery"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
