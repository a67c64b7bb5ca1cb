"""The recordings' contract on the bus.

State ONGOING: [{"name", "source", "storage"}] of the recordings running now,
absent when none runs (the Status page's "Ongoing recordings").
"""

from __future__ import annotations

ONGOING = "recordings.ongoing"
