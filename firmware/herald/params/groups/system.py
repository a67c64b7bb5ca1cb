"""System: access policy of the device as a whole, and the prevention of
brute-force attacks (System > Security: blocking after repeated failed logins,
for a blocking period; the failures allowed per page and per device)."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import Bool, Int

GROUPS = [
    Group("System", (
        Param("AnonymousViewing", Bool(), "no", "Allow anonymous viewing"),
        Group("PreventDoSAttack", (
            Param("ActivatePasswordThrottling", Bool(), "yes", "Blocking"),
            Param("DoSBlockingPeriod", Int(1, 86400), "60", "Blocking period (s)"),
            Param("DoSPageCount", Int(1, 1000), "10",
                  "Failed logins allowed on one page, per page interval"),
            Param("DoSPageInterval", Int(1, 3600), "1", "Page interval (s)"),
            Param("DoSSiteCount", Int(1, 10000), "20",
                  "Failed logins allowed on the device, per device interval"),
            Param("DoSSiteInterval", Int(1, 3600), "1", "Device interval (s)"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
