"""The discovery service's contract on the bus (herald-system runs it).

State:
    STATUS  `DiscoveryStatus`: which of Bonjour, UPnP and WS-Discovery the
            device answers now, and what keeps one off, in words
Calls to SERVICE: the bus's PING.

The settings, each followed without a restart (System > Network):
    BONJOUR_ENABLED, BONJOUR_NAME  the avahi service file: _http._tcp and
                                   _axis-video._tcp under that name
    UPNP_ENABLED, UPNP_NAME        SSDP answers and the device description
    WSD_ENABLED                    WS-Discovery Probe/Resolve answers, Hello, Bye
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "discovery"
STATUS = "discovery.status"

BONJOUR_ENABLED = "Network.Bonjour.Enabled"
BONJOUR_NAME = "Network.Bonjour.FriendlyName"
UPNP_ENABLED = "Network.UPnP.Enabled"
UPNP_NAME = "Network.UPnP.FriendlyName"
WSD_ENABLED = "WebService.DiscoveryMode.Discoverable"
SETTINGS = (BONJOUR_ENABLED, BONJOUR_NAME, UPNP_ENABLED, UPNP_NAME, WSD_ENABLED)


@dataclass(frozen=True)
class DiscoveryStatus(Payload):
    bonjour: bool  # the avahi service file is written
    upnp: bool  # SSDP answers
    ws_discovery: bool  # WS-Discovery answers
    problems: tuple[str, ...] = ()
