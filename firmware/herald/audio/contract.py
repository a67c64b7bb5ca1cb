"""The audio service's contract on the bus (herald-core serves it): the calls
it answers, the state it keeps and the events it sends. The web admin, the
worker and the boot gate take the names from here.

Calls to SERVICE: PLAY_CLIP, STOP_CLIP, PLAY_TONE, STOP_TONE, STATUS, and the
bus's PING.
State: CLIP_PLAYING, LIVE_ACTIVE (bool); `sound_level_triggered(input)` (bool).
Events: `started(kind)`, `stopped(kind)` for each voice (clip, live, tone)
with the voice's description; LEVEL_INPUT `InputLevel` and LEVEL_OUTPUT
`OutputLevel` ten times a second; SOUND_LEVEL_CROSSED `SoundLevelCrossing`.
"""

from __future__ import annotations

from dataclasses import dataclass

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
