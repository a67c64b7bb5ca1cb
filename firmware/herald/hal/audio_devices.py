"""Which ALSA devices are the speaker and the microphone, from configuration.

A machine's image ships /etc/herald/audio.toml; development and tests point
HERALD_AUDIO_CONFIG at a file of their own (see herald.simulation.sound_card). Without any,
ALSA's "default" device is used. Example:

    [playback]
    device = "hw:0,0"
    rate = 48000
    channels = 2
    period_frames = 480
    periods = 4

    [capture]
    device = "hw:0,0"
    channels = 1
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from herald.hal.config_file import config_path

DEVICE_CONFIG = Path("/etc/herald/audio.toml")
SUPPORTED_RATES = (8000, 16000, 32000, 44100, 48000)


@dataclass(frozen=True)
class PcmConfig:
    device: str = "default"
    rate: int = 48000
    channels: int = 1
    period_frames: int = 480  # 10 ms at 48 kHz
    periods: int = 4

    def check(self, role: str) -> PcmConfig:
        if not self.device:
            raise ValueError(f"{role}: device is empty")
        if self.rate not in SUPPORTED_RATES:
            raise ValueError(f"{role}: rate {self.rate} is not one of {SUPPORTED_RATES}")
        if not 1 <= self.channels <= 8:
            raise ValueError(f"{role}: channels must be 1 to 8")
        if not 32 <= self.period_frames <= 8192 or not 2 <= self.periods <= 32:
            raise ValueError(f"{role}: period_frames must be 32-8192 and periods 2-32")
        return self

    @property
    def period_seconds(self) -> float:
        return self.period_frames / self.rate


@dataclass(frozen=True)
class AudioDevices:
    playback: PcmConfig = PcmConfig()
    capture: PcmConfig = PcmConfig()


def load_audio_devices(path: Path | None = None) -> AudioDevices:
    """The configured devices; a bad file is an error, never silently ignored."""
    path = path or config_path("HERALD_AUDIO_CONFIG", DEVICE_CONFIG)
    if path is None:
        return AudioDevices()
    with open(path, "rb") as source:
        table = tomllib.load(source)
    unknown = set(table) - {"playback", "capture"}
    if unknown:
        raise ValueError(f"{path}: unknown sections {sorted(unknown)}")
    return AudioDevices(
        playback=_pcm(table.get("playback", {}), f"{path} [playback]"),
        capture=_pcm(table.get("capture", {}), f"{path} [capture]"),
    )


def _pcm(section: dict, role: str) -> PcmConfig:
    known = {f.name: f.type for f in fields(PcmConfig)}
    unknown = set(section) - set(known)
    if unknown:
        raise ValueError(f"{role}: unknown keys {sorted(unknown)}")
    for key, value in section.items():
        expected = str if key == "device" else int
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ValueError(f"{role}: {key} must be {expected.__name__}")
    return replace(PcmConfig(), **section).check(role)
