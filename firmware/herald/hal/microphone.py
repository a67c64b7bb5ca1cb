"""The microphone: the ALSA capture PCM the audio engine reads, silent
while the microphone disable switch is off (as the mechanical switch
makes it on the device, whatever the sound card delivers)."""

from __future__ import annotations

import alsaaudio

from herald.hal.audio_devices import PcmConfig
from herald.hal.mic_switch import MicSwitch
from herald.hal.speaker import open_pcm


class Microphone:
    def __init__(self, config: PcmConfig, switch: MicSwitch | None = None) -> None:
        self.config = config
        self.switch = switch  # None: this board has no switch, the microphone is always on

    @property
    def is_on(self) -> bool:
        return self.switch is None or self.switch.is_on

    def open(self) -> alsaaudio.PCM:
        return open_pcm(alsaaudio.PCM_CAPTURE, self.config)

    def read(self, pcm: alsaaudio.PCM) -> tuple[int, bytes]:
        """One period from `pcm`, as pcm.read() gives it; zeros while switched off."""
        frames, data = pcm.read()
        if frames > 0 and not self.is_on:
            data = bytes(len(data))
        return frames, data
