"""The audio parameters in the device's parameter tree.

The Django database is the single source of truth: the web admin and
param.cgi change these parameters, herald-core reads them at start and
follows `params.changed`. Names follow VAPIX where VAPIX has one
(AudioSource.A0.AlarmLevel, Audio.ReceiverBuffer, MediaClip.MaxUploadSize);
Herald's own additions sit beside them. Ranges and which setting lives where
come from the audio contract, so the engine and the tree never disagree.
What the device cannot change is read-only and says what it does: full
duplex, one audio configuration (A0: the microphone, mono), audio sent
unmarked (DSCP 0), receive.cgi answering singlepart unless asked otherwise
and serving at most MAX_LISTENERS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from herald.access import Level
from herald.audio.contract import (
    DUCK_LEVELS,
    INPUT_GAINS,
    INPUT_TYPES,
    MAX_VOLUMES,
    OUTPUT_GAINS,
    POWER_TYPES,
    PRIORITY_RULES,
    SETTINGS,
    AudioSettings,
)
from herald.audio.link import MAX_LISTENERS
from herald.params.tree import Group, Param, Template
from herald.params.types import Bool, Enum, Int, String

MAX_CLIPS = 50
MAX_NAME_LENGTH = 64

PREFIXES = ("Audio.", "AudioSource.")


def _range(values: range) -> Int:
    return Int(values.start, values.stop - 1)


def _default(field: str) -> str:
    value = getattr(AudioSettings, field)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _param(field: str, kind: Any, nice: str, write: Level | None = None) -> Param:
    return Param(SETTINGS[field].rsplit(".", 1)[1], kind, _default(field), nice, write=write)


PRIORITY = Int(1, 100)


def _fact(name: str, kind: Enum | Int, value: str, nice: str) -> Param:
    """A parameter that says what the device does and nobody can change."""
    return Param(name, kind, value, nice, write=Level.ROOT)


GROUPS = [
    Group("Audio", (
        _fact("DSCP", Int(0, 0), "0", "DSCP of audio packets"),
        _fact("DuplexMode", Enum(("full",)), "full", "Duplex mode"),
        _fact("MaxListeners", Int(MAX_LISTENERS, MAX_LISTENERS), str(MAX_LISTENERS),
              "Most listeners at once"),
        _fact("NbrOfConfigs", Int(1, 1), "1", "Audio configurations"),
        _param("receiver_buffer_ms", Int(20, 1000), "Live audio buffer (ms)"),
        _param("receiver_timeout_ms", Int(500, 60000), "Live audio timeout (ms)"),
        _param("max_volume", _range(MAX_VOLUMES), "Maximum volume (dBFS)"),
        _param("priority_rule", Enum(PRIORITY_RULES), "A higher-priority source"),
        _param("duck_level", _range(DUCK_LEVELS), "Ducked sources (dB)"),
        Group("Priority", (
            Param("Clip", PRIORITY, _default("priority_clip"), "Audio clips"),
            Param("Tone", PRIORITY, _default("priority_tone"), "Tones"),
            Param("Live", PRIORITY, _default("priority_live"), "Live audio"),
        )),
        Group("A0", (
            _param("stream_enabled", Bool(), "Audio to listeners"),
            _fact("HTTPMessageType", Enum(("singlepart",)), "singlepart",
                  "receive.cgi's default message type"),
            Param("Name", String(64), "", "Name"),
            _fact("NbrOfChannels", Int(1, 1), "1", "Channels"),
            _fact("Source", Int(0, 0), "0", "Audio source (AudioSource.A#)"),
        )),
    ), read=Level.OPERATOR, write=Level.ADMIN),
    Group("AudioSource", (
        _fact("NbrOfSources", Int(1, 1), "1", "Audio sources"),
        Group("A0", (
            Param("Name", String(64), "Microphone", "Name"),
            _param("input_enabled", Bool(), "Input"),
            _param("input_gain", _range(INPUT_GAINS), "Input gain (dB)"),
            _param("input_mute", Bool(), "Input muted"),
            _param("input_type", Enum(INPUT_TYPES), "Input type"),
            _param("power_type", Enum(POWER_TYPES), "Power type"),
            _param("echo_cancellation", Bool(), "Echo cancellation"),
            _param("output_gain", _range(OUTPUT_GAINS), "Output gain (dB)"),
            _param("output_mute", Bool(), "Output muted"),
            _param("sound_level_threshold", Int(0, 100), "Sound level (%)", write=Level.ADMIN),
        )),
    ), read=Level.OPERATOR, write=Level.OPERATOR),
    Group("MediaClip", (
        _fact("MaxGroups", Int(MAX_CLIPS, MAX_CLIPS), str(MAX_CLIPS), "Most clips"),
        Param("MaxUploadSize", Int(1, 100), "10", "Largest clip file (MB)"),
        Param("MaxDuration", Int(1, 3600), "600", "Longest clip (s)"),
        # Clips are made and removed by the clip store only (it stores the file
        # too); people rename them.
        Template("mediaclip", "M", (
            Param("Name", String(MAX_NAME_LENGTH, 1), "clip", "Name", write=Level.OPERATOR),
            Param("Location", String(255), "", "Location", write=Level.ROOT),
            Param("Type", String(16), "audio", "Type", write=Level.ROOT),
        ), max_groups=MAX_CLIPS, create=Level.ROOT, delete=Level.ROOT),
    ), read=Level.VIEWER, write=Level.ADMIN),
    Group("Properties", (
        Group("Audio", (
            Param("Audio", Bool(), "yes"),
            Param("DuplexMode", String(64), "full"),
            Group("Decoder", (Param("Format", String(128), "g711,axis-mulaw-128,l16,wav"),)),
        )),
        Group("AudioClip", (
            Param("PlayOptions", String(64), "repeat,volume,location"),
            Param("StopClip", Bool(), "yes"),
            Param("Format", String(64), "au,wav,mp3,opus,vorbis"),
        )),
    )),
]


def concerns_audio(changed: Mapping[str, Any]) -> bool:
    return any(name.startswith(PREFIXES) for name in changed)

