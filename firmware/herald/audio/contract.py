"""The audio service's contract on the bus (herald-core serves it): the calls
it answers, the state it keeps and the events it sends. The web admin, the
worker and the boot gate take the names from here.

Calls to SERVICE: PLAY_CLIP and PLAY_TONE (-> the `Voice` that plays),
STOP_CLIP, STOP_TONE, STATUS (-> `AudioStatus`), and the bus's PING.
State: CLIP_PLAYING, LIVE_ACTIVE (bool); `sound_level_triggered(input)` (bool).
Events: `started(kind)`, `stopped(kind)` for each voice (clip, live, tone),
a `Voice` (with the reason it stopped); LEVEL_INPUT `InputLevel` and LEVEL_OUTPUT
`OutputLevel` ten times a second; SOUND_LEVEL_CROSSED `SoundLevelCrossing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herald.payload import Payload

SERVICE = "audio"

PLAY_CLIP = "play_clip"
STOP_CLIP = "stop_clip"
PLAY_TONE = "play_tone"
STOP_TONE = "stop_tone"
STATUS = "status"

CLIP_PLAYING = "audio.clip.playing"
LIVE_ACTIVE = "audio.live.active"
PLAYING = {"clip": CLIP_PLAYING, "live": LIVE_ACTIVE}  # the state of each kind of voice

LEVEL_INPUT = "audio.level.input"
LEVEL_OUTPUT = "audio.level.output"
LEVELS = "audio.level.*"
SOUND_LEVEL_CROSSED = "audio.sound_level.crossed"


def started(kind: str) -> str:
    return f"audio.{kind}.started"


def stopped(kind: str) -> str:
    return f"audio.{kind}.stopped"


def sound_level_triggered(source: int | str) -> str:
    return f"audio.sound_level.triggered.{source}"


@dataclass(frozen=True)
class InputLevel(Payload):
    input: int  # the microphone's number
    level: float  # percent of full scale


@dataclass(frozen=True)
class OutputLevel(Payload):
    output: int  # the speaker's number
    level: float  # percent of full scale


@dataclass(frozen=True)
class SoundLevelCrossing(Payload):
    """The input's level went above or fell below the detection threshold."""

    input: int
    direction: str  # "above" or "below"
    level: float
    threshold: float

    @property
    def above(self) -> bool:
        return self.direction == "above"


@dataclass(frozen=True)
class Voice(Payload):
    """One sound the speaker plays, and what it is: a clip, a tone or live audio."""

    voice: int  # its number while it plays
    kind: str  # "clip", "tone" or "live"
    priority: int
    volume: int  # percent
    underruns: int
    clip: int | None = None  # a clip: its number, name and repeats (-1: until stopped)
    name: str = ""
    repeat: int | None = None
    frequency: float | None = None  # a tone: Hz, seconds, dBFS
    seconds: float | None = None
    level: float | None = None
    content_type: str = ""  # live audio: as it arrives, and the format decoded
    format: str = ""
    reason: str = ""  # in a stopped event: why ("end", "stopped", "replaced", ...)

    def __str__(self) -> str:
        """In words, for a person waiting on it ("clip Doorbell")."""
        if self.kind == "clip" and self.name:
            return f"clip {self.name}"
        if self.kind == "tone" and self.frequency is not None:
            return f"tone of {self.frequency:g} Hz"
        return "live audio" if self.kind == "live" else self.kind


@dataclass(frozen=True)
class OutputStatus:
    device: str
    error: str | None  # why the speaker does not play, if it does not
    idle: bool  # nothing to play
    underruns: int
    frames_written: int


@dataclass(frozen=True)
class InputStatus:
    device: str
    enabled: bool
    error: str | None
    level: float | None  # percent of full scale; None while nothing is heard
    triggered: bool  # above the sound level threshold


@dataclass(frozen=True)
class AudioStatus(Payload):
    output: OutputStatus
    input: InputStatus
    playing: tuple[Voice, ...]
    settings: dict[str, Any]  # the audio settings in force (herald.audio.settings)
