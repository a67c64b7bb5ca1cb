"""System: access policy of the device as a whole."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import Bool

GROUPS = [
    Group("System", (
        Param("AnonymousViewing", Bool(), "no", "Allow anonymous viewing"),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
