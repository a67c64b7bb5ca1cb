"""The audio settings a user can change, checked in one place.

The web admin keeps them in the parameter tree (root.Audio..., the device
settings, the detectors) and hands them to the core service; anything out of
range is refused with a message naming the setting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

OUTPUT_GAINS = range(-60, 1)  # dB, 0 is full volume
INPUT_GAINS = range(-20, 31)  # dB
MAX_VOLUMES = range(-40, 1)  # dBFS ceiling of everything the speaker plays
DUCK_LEVELS = range(-60, 1)  # dB applied to lower-priority sources while ducked
PRIORITY_RULES = ("interrupt", "duck")
INPUT_TYPES = ("mic", "line")
POWER_TYPES = ("off", "bias")
SOURCE_KINDS = ("clip", "tone", "live")


@dataclass(frozen=True)
class AudioSettings:
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def priority(self, kind: str) -> int:
        return int(getattr(self, f"priority_{kind}"))

    def changed(self, **changes: Any) -> AudioSettings:
        """A copy with `changes` applied; ValueError names the first bad one."""
        return settings_from_dict({**self.to_dict(), **changes})


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
