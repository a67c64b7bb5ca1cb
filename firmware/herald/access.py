"""Access levels shared by the web admin, the VAPIX API and the parameter tree.

The numbers are VAPIX's parameter security levels, so a level can be written
into `listdefinitions` as is and compared with `>=`: a viewer reaches
everything at VIEWER, an operator also OPERATOR, an administrator also ADMIN.
ROOT is the firmware itself: nobody reaches it through the web or the API.
"""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    ANONYMOUS = 0
    VIEWER = 1
    OPERATOR = 4
    ADMIN = 6
    ROOT = 7
