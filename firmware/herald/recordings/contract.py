"""The recordings service's contract on the bus (herald-core runs it).

State ONGOING `Ongoing`: the recordings running now, absent when none runs
(the Status page's "Ongoing recordings").
Calls to SERVICE; each answers {"ok": True, ...} or {"ok": False, "message"}
with a message the page shows as it is:
    START(storage, by)   start a continuous recording   -> "recording": its id
    STOP(by)             stop the one that runs
    LIST()               -> "recordings": a `Listing`, newest first
    DELETE(recording, by)  remove a stopped recording (its id) and its file
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.payload import Payload

SERVICE = "recordings"
ONGOING = "recordings.ongoing"

START = "start"
STOP = "stop"
LIST = "list"
DELETE = "delete"

# Where a recording can go, as the Recordings page names it.
STORAGES = {"data": "Data partition"}

# A recording's status: ONGOING until stopped; STOPPING until its file is closed.
RECORDING, STOPPING, STOPPED = "ongoing", "stopping", "stopped"
STATUS_NAMES = {RECORDING: "Ongoing", STOPPING: "Stopping", STOPPED: "Stopped"}


@dataclass(frozen=True)
class Recording:
    name: str
    source: str  # what it records, as the Recordings page names it ("Microphone")
    storage: str  # where it goes, as the page names it ("Data partition")


@dataclass(frozen=True)
class Ongoing(Payload):
    recordings: tuple[Recording, ...]


@dataclass(frozen=True)
class Entry(Recording):
    """One recording as the Recordings page lists it."""

    id: int
    status: str  # RECORDING, STOPPING or STOPPED
    started: float  # seconds since the epoch
    seconds: float  # the length of the audio held, when stopped
    message: str  # why it does not record just now, if it does not
    file: str  # the WAV file, while it exists, else ""

    @property
    def ongoing(self) -> bool:
        return self.status != STOPPED

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


@dataclass(frozen=True)
class Listing(Payload):
    recordings: tuple[Entry, ...]
