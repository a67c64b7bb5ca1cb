"""The speaker: the ALSA playback PCM the audio engine writes to."""

from __future__ import annotations

import alsaaudio

from herald.hal.audio_devices import PcmConfig


def open_pcm(kind: int, config: PcmConfig) -> alsaaudio.PCM:
    """One ALSA PCM in the engine's format (16-bit) and timing."""
    return alsaaudio.PCM(
        kind, mode=alsaaudio.PCM_NORMAL, rate=config.rate, channels=config.channels,
        format=alsaaudio.PCM_FORMAT_S16_LE, periodsize=config.period_frames,
        periods=config.periods, device=config.device,
    )


class Speaker:
    def __init__(self, config: PcmConfig) -> None:
        self.config = config

    def open(self) -> alsaaudio.PCM:
        return open_pcm(alsaaudio.PCM_PLAYBACK, self.config)
