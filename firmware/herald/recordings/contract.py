"""The recordings' contract on the bus.

State ONGOING `Ongoing`: the recordings running now, absent when none runs
(the Status page's "Ongoing recordings").
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

ONGOING = "recordings.ongoing"


@dataclass(frozen=True)
class Recording:
    name: str
    source: str  # what it records, as the Recordings page names it ("Microphone")
    storage: str  # where it goes, as the page names it ("SD card")


@dataclass(frozen=True)
class Ongoing(Payload):
    recordings: tuple[Recording, ...]
