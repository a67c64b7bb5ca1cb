"""The audio service's contract on the bus (herald-core serves it): the calls
it answers, the state it keeps and the events it sends. The web admin, the
worker and the boot gate take the names from here.

Calls to SERVICE: PLAY_CLIP and PLAY_TONE (-> the `Voice` that plays),
STOP_CLIP, STOP_TONE, STATUS (-> `AudioStatus`), SPEAKER_TEST_CALIBRATE and
SPEAKER_TEST_RUN (-> `SpeakerTestState` as the run starts; refused with the
reason when it cannot run), and the bus's PING.
State: CLIP_PLAYING, LIVE_ACTIVE (bool); `sound_level_triggered(input)` (bool);
SPEAKER_TEST `SpeakerTestState`; MIC_SWITCH `MicSwitchState` (on a board with
the microphone disable switch).
Events: `started(kind)`, `stopped(kind)` for each voice (clip, live, tone),
a `Voice` (with the reason it stopped); LEVEL_INPUT `InputLevel` and LEVEL_OUTPUT
`OutputLevel` ten times a second; SOUND_LEVEL_CROSSED `SoundLevelCrossing`;
SPEAKER_TEST_RESULT `SpeakerTestResult` after each speaker test (not calibration).
Settings: `AudioSettings`, each one's range, and the parameter it is kept in
(SETTINGS): clients write the parameters, the service follows their changes.

The clip store answers on CLIPS_SERVICE (herald-system serves it: checking an
upload decodes it, which must not take the CPU from the audio in herald-core).
Each answers {"clip": `Clip`} unless said otherwise; a clip that is not there
is refused as ClipNotFound, a file or name that cannot be a clip with the reason:
    LIST_CLIPS()                       -> {"clips": [`Clip`, ...]}, by number
    ADD_CLIP(staged, filename, name)   the file a client put in CLIP_UPLOADS (it
                                       removes it after); name None: from filename
    RENAME_CLIP(clip, name), REMOVE_CLIP(clip), FIND_CLIP(location)
    CLIP_FILE(clip, au)                -> {"clip", "path"}: the file to read, as
                                       uploaded or (au) as VAPIX hands clips out
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from herald.payload import Payload

SERVICE = "audio"
CLIPS_SERVICE = "audio-clips"

PLAY_CLIP = "play_clip"
STOP_CLIP = "stop_clip"
PLAY_TONE = "play_tone"
STOP_TONE = "stop_tone"
STATUS = "status"
SPEAKER_TEST_CALIBRATE = "speaker_test_calibrate"
SPEAKER_TEST_RUN = "speaker_test_run"

LIST_CLIPS = "list"
ADD_CLIP = "add"
RENAME_CLIP = "rename"
REMOVE_CLIP = "remove"
FIND_CLIP = "find"
CLIP_FILE = "file"
CLIP_UPLOADS = "clip-uploads"  # the folder on the data partition where clients stage uploads
MAX_CLIP_BYTES = 10 * 1024 * 1024  # MediaClip.MaxUploadSize's default; the web takes no more
# What each file name extension an upload may have claims the content to be.
CLIP_EXTENSIONS: dict[str, tuple[str, ...]] = {
    ".au": ("au",),
    ".snd": ("au",),
    ".wav": ("wav",),
    ".wave": ("wav",),
    ".mp3": ("mp3",),
    ".opus": ("opus",),
    ".vorbis": ("vorbis",),
    ".ogg": ("vorbis", "opus"),
    ".oga": ("vorbis", "opus"),
}

CLIP_PLAYING = "audio.clip.playing"
LIVE_ACTIVE = "audio.live.active"
PLAYING = {"clip": CLIP_PLAYING, "live": LIVE_ACTIVE}  # the state of each kind of voice

LEVEL_INPUT = "audio.level.input"
LEVEL_OUTPUT = "audio.level.output"
LEVELS = "audio.level.*"
SOUND_LEVEL_CROSSED = "audio.sound_level.crossed"
SPEAKER_TEST = "speakertest"
MIC_SWITCH = "audio.mic_switch"
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
    switch_on: bool = True  # the microphone disable switch (True on a board without one)


@dataclass(frozen=True)
class MicSwitchState(Payload):
    """The microphone disable switch: while off, the microphone hears nothing."""

    on: bool


@dataclass(frozen=True)
class AudioStatus(Payload):
    output: OutputStatus
    input: InputStatus
    playing: tuple[Voice, ...]
    settings: AudioSettings  # the settings in force


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


# -- settings: what a user can change, and where each lives in the parameter tree.
# The web admin writes them there (the parameter store); the service reads them
# at start and follows the parameters' changes.

OUTPUT_GAINS = range(-60, 1)  # dB, 0 is full volume
INPUT_GAINS = range(-20, 31)  # dB
MAX_VOLUMES = range(-40, 1)  # dBFS ceiling of everything the speaker plays
DUCK_LEVELS = range(-60, 1)  # dB applied to lower-priority sources while ducked
PRIORITY_RULES = ("interrupt", "duck")
INPUT_TYPES = ("mic", "line")
POWER_TYPES = ("off", "bias")
SOURCE_KINDS = ("clip", "tone", "live")


@dataclass(frozen=True)
class AudioSettings(Payload):
    """The audio settings a user can change, each checked against its range in
    one place; anything out of range is refused with a message naming it."""

    output_gain: int = -6
    output_mute: bool = False
    max_volume: int = 0
    input_enabled: bool = True
    stream_enabled: bool = True  # audio to listeners over the network (receive.cgi)
    input_gain: int = 0
    input_mute: bool = False
    input_type: str = "mic"
    power_type: str = "off"
    echo_cancellation: bool = False
    priority_rule: str = "interrupt"
    duck_level: int = -20
    priority_clip: int = 10
    priority_tone: int = 20
    priority_live: int = 30
    sound_level_threshold: int = 50  # percent, 0 most sensitive
    receiver_buffer_ms: int = 60  # live audio jitter buffer
    receiver_timeout_ms: int = 5000  # live audio ends after this long without data

    def priority(self, kind: str) -> int:
        return int(getattr(self, f"priority_{kind}"))

    def changed(self, **changes: Any) -> AudioSettings:
        """A copy with `changes` applied; ValueError names the first bad one."""
        return settings_from_dict({**asdict(self), **changes})


_CHOICES: dict[str, Any] = {
    "output_gain": OUTPUT_GAINS,
    "input_gain": INPUT_GAINS,
    "max_volume": MAX_VOLUMES,
    "duck_level": DUCK_LEVELS,
    "priority_rule": PRIORITY_RULES,
    "input_type": INPUT_TYPES,
    "power_type": POWER_TYPES,
    "priority_clip": range(1, 101),
    "priority_tone": range(1, 101),
    "priority_live": range(1, 101),
    "sound_level_threshold": range(101),
    "receiver_buffer_ms": range(20, 1001),
    "receiver_timeout_ms": range(500, 60001),
}


def settings_from_dict(values: dict[str, Any]) -> AudioSettings:
    known = {f.name: f for f in fields(AudioSettings)}
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"unknown audio settings: {', '.join(sorted(unknown))}")
    checked: dict[str, Any] = {}
    for name, value in values.items():
        default = getattr(AudioSettings, name)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number")
        elif not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        allowed = _CHOICES.get(name)
        if allowed is not None and value not in allowed:
            raise ValueError(f"{name} {value!r} is out of range ({_describe(allowed)})")
        checked[name] = value
    return AudioSettings(**checked)


def _describe(allowed: Any) -> str:
    if isinstance(allowed, range):
        return f"{allowed.start} to {allowed.stop - 1}"
    return ", ".join(allowed)


SOURCE = "AudioSource.A0"
# AudioSettings field -> parameter.
SETTINGS: dict[str, str] = {
    "output_gain": f"{SOURCE}.OutputGain",
    "output_mute": f"{SOURCE}.OutputMute",
    "input_enabled": f"{SOURCE}.InputEnabled",
    "stream_enabled": "Audio.A0.Enabled",
    "input_gain": f"{SOURCE}.InputGain",
    "input_mute": f"{SOURCE}.InputMute",
    "input_type": f"{SOURCE}.InputType",
    "power_type": f"{SOURCE}.PowerType",
    "echo_cancellation": f"{SOURCE}.EchoCancellation",
    "sound_level_threshold": f"{SOURCE}.AlarmLevel",
    "max_volume": "Audio.MaxVolume",
    "priority_rule": "Audio.PriorityRule",
    "duck_level": "Audio.DuckLevel",
    "priority_clip": "Audio.Priority.Clip",
    "priority_tone": "Audio.Priority.Tone",
    "priority_live": "Audio.Priority.Live",
    "receiver_buffer_ms": "Audio.ReceiverBuffer",
    "receiver_timeout_ms": "Audio.ReceiverTimeout",
}


def settings_from_params(get: Callable[[str], str]) -> AudioSettings:
    """The engine's settings from parameter values (e.g. a snapshot's `get`)."""
    converted: dict[str, Any] = {}
    for field, name in SETTINGS.items():
        raw, default = get(name), getattr(AudioSettings, field)
        if isinstance(default, bool):
            converted[field] = raw == "yes"
        elif isinstance(default, int):
            converted[field] = int(raw)
        else:
            converted[field] = raw
    return settings_from_dict(converted)


def params_from_settings(changes: Mapping[str, Any]) -> dict[str, str]:
    """Parameter values for some settings, e.g. {"output_gain": -10}."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown audio settings: {', '.join(sorted(unknown))}")
    return {SETTINGS[k]: ("yes" if v else "no") if isinstance(v, bool) else str(v)
            for k, v in changes.items()}


# -- clips


class ClipNotFound(LookupError):
    def __init__(self, clip_id: int | str, message: str = "") -> None:
        super().__init__(message or f"there is no clip {clip_id}")


@dataclass(frozen=True)
class ClipFacts:
    """What a clip's audio is: written once, when the clip is added."""

    filename: str  # as uploaded
    format: str
    codec: str
    rate: int
    channels: int
    duration: float
    size: int
    added: float
    stored_as: str  # file name inside the store


@dataclass(frozen=True)
class Clip(ClipFacts, Payload):
    id: int = 0
    name: str = ""

