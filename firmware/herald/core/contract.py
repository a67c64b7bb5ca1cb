"""herald-core's own state on the bus: the board's inputs (herald.core.board),
which the events service makes events (the control button, the PIR).

State (bool, on a board that has the part):
    BUTTON  the control button is pressed
    MOTION  the PIR sensor sees motion
"""

from __future__ import annotations

BUTTON = "board.button"
MOTION = "board.motion"
