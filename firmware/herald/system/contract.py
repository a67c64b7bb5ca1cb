"""System's contract on the bus.

State: TIME (herald.timesync.status()), CLIENTS (herald.connections.connected()),
both for the Status page.
Event: RESTARTING {"by"}: someone asked the device to restart.
"""

from __future__ import annotations

TIME = "system.time"
CLIENTS = "system.clients"
RESTARTING = "system.restarting"
