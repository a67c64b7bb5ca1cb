"""Properties: facts about the firmware and the APIs it offers. Read-only;
services that bring an API add their part (Properties.Audio, ...)."""

import platform

from herald.access import Level
from herald.params.groups.brand import PRODUCT_NUMBER
from herald.params.tree import Group, Param
from herald.params.types import Bool, String
from herald.system.identity import soc, this_device, this_firmware

YES = Bool()

GROUPS = [
    Group("Properties", (
        Group("API", (
            Group("HTTP", (
                Param("Version", String(), "3"),
                Param("AdminPath", String(), "/"),
            )),
            # No event metadata stream yet; clients read these keys regardless.
            Group("Metadata", (
                Param("Metadata", YES, "no"),
                Param("Version", String(), ""),
            )),
            # The Call service API at /vapix/call (herald_web/system/call_service).
            Group("SIP", (
                Param("SIP", YES, "yes"),
                Param("Version", String(), "2.0"),
            )),
        )),
        Group("ApiDiscovery", (Param("ApiDiscovery", YES, "yes"),)),
        Group("Firmware", (
            Param("Version", String(), lambda: this_firmware().version, computed=True),
            Param("BuildDate", String(), lambda: this_firmware().build_date, computed=True),
            Param("BuildNumber", String(), lambda: this_firmware().build_number, computed=True),
        )),
        Group("HTTPS", (Param("HTTPS", YES, "yes"),)),
        Group("System", (
            Param("Architecture", String(), platform.machine(), computed=True),
            Param("HardwareID", String(), PRODUCT_NUMBER),
            Param("Language", String(), "English"),
            Param("LanguageType", String(), "default"),
            Param("SerialNumber", String(), lambda: this_device().serial, computed=True),
            Param("Soc", String(), soc, computed=True),
        )),
    ), read=Level.VIEWER, write=Level.ROOT),
]
