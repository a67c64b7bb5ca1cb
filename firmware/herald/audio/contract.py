"""The audio service's contract on the bus (herald-core serves it): the calls
it answers, the state it keeps and the events it sends. The web admin, the
worker and the boot gate take the names from here.

Calls to SERVICE: PLAY_CLIP and PLAY_TONE (-> the `Voice` that plays),
STOP_CLIP, STOP_TONE, STATUS (-> `AudioStatus`), SPEAKER_TEST_CALIBRATE and
SPEAKER_TEST_RUN (-> `SpeakerTestState` as the run starts; refused with the
reason when it cannot run), and the bus's PING.
State: CLIP_PLAYING, LIVE_ACTIVE (bool); `sound_level_triggered(input)` (bool);
SPEAKER_TEST `SpeakerTestState`.
Events: `started(kind)`, `stopped(kind)` for each voice (clip, live, tone),
a `Voice` (with the reason it stopped); LEVEL_INPUT `InputLevel` and LEVEL_OUTPUT
`OutputLevel` ten times a second; SOUND_LEVEL_CROSSED `SoundLevelCrossing`;
SPEAKER_TEST_RESULT `SpeakerTestResult` after each speaker test (not calibration).
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
SPEAKER_TEST_CALIBRATE = "speaker_test_calibrate"
SPEAKER_TEST_RUN = "speaker_test_run"

CLIP_PLAYING = "audio.clip.playing"
LIVE_ACTIVE = "audio.live.active"
PLAYING = {"clip": CLIP_PLAYING, "live": LIVE_ACTIVE}  # the state of each kind of voice

LEVEL_INPUT = "audio.level.input"
LEVEL_OUTPUT = "audio.level.output"
LEVELS = "audio.level.*"
SOUND_LEVEL_CROSSED = "audio.sound_level.crossed"
SPEAKER_TEST = "speakertest"
SPEAKER_TEST_RESULT = "speakertest.result"


def band_name(centre: float) -> str:
    """How a speaker test names a band ("2 kHz", "800 Hz"), in its failed bands."""
    return f"{centre / 1000:g} kHz" if centre >= 1000 else f"{centre:g} Hz"


CALIBRATION, TEST = "calibration", "test"  # the two kinds of speaker test run


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


@dataclass(frozen=True)
class SpeakerTestResult(Payload):
    """One calibration or test: per 1/3-octave band (SpeakerTestState.bands),
    the level the microphone heard, in dB relative to what the speaker was
    driven with; None for a band too noisy to judge."""

    kind: str  # CALIBRATION or TEST
    passed: bool
    at: float  # when it ended (time.time())
    seconds: float  # how long it took
    levels: tuple[float | None, ...]
    failed: tuple[str, ...] = ()  # the bands out of tolerance, by name ("2 kHz")
    message: str = ""  # in words, for people: why it failed

    @property
    def verdict(self) -> str:
        if self.kind == CALIBRATION:
            return "Calibrated" if self.passed else "Calibration failed"
        return "Passed the test" if self.passed else "Didn't pass the test"


@dataclass(frozen=True)
class SpeakerTestState(Payload):
    """Whether the speaker is calibrated, what runs now and how the last run went."""

    bands: tuple[float, ...]  # the 1/3-octave centre frequencies, Hz
    tolerance: float  # dB either side of the reference a band may stray
    running: str  # CALIBRATION or TEST while one runs, else ""
    calibrated_at: float | None  # None: not calibrated
    reference: tuple[float | None, ...]  # the calibration's levels; empty until calibrated
    last: SpeakerTestResult | None  # the last calibration or test since the reference

    @property
    def calibrated(self) -> bool:
        return self.calibrated_at is not None
