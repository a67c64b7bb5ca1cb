"""Properties.FirmwareManagement: the VAPIX firmware management API this
firmware offers (firmwaremanagement.cgi, API discovery id "fwmgr")."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import String
from herald.update.contract import FIRMWARE_MANAGEMENT_VERSION

GROUPS = [
    Group("Properties", (
        Group("FirmwareManagement", (Param("Version", String(), FIRMWARE_MANAGEMENT_VERSION),)),
    ), read=Level.VIEWER, write=Level.ROOT),
]
