"""The recordings' contract on the bus.

State ONGOING `Ongoing`: the recordings running now, absent when none runs
(the Status page's "Ongoing recordings").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

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

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        plain = super().from_dict(raw)
        return cls(tuple(Recording(**recording) for recording in plain.recordings))
