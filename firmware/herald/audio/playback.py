"""The playback thread: the only writer of the speaker's ALSA PCM.

The PCM is opened once and kept. While anything plays, the thread renders
one period at a time and writes it; ALSA's blocking write keeps it in step
with the sound card. When the mix has been silent for a moment the thread
drains the PCM and sleeps until a source arrives, so an idle speaker costs
nothing and the next sound starts at once from a prepared PCM.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable

import alsaaudio

from herald.audio.device import DeviceThread
from herald.audio.echo import EchoReference
from herald.audio.levels import LevelMeter
from herald.audio.mixer import Mixer, VoiceEvent
from herald.audio.pcm import float_to_s16, interleave
from herald.hal.speaker import Speaker

IDLE_SECONDS = 0.3  # silence written after the last source before the PCM is drained

EventSink = Callable[[list[VoiceEvent], float], None]
LevelSink = Callable[[float], None]


class Playback(DeviceThread):
    def __init__(self, speaker: Speaker, mixer: Mixer, on_events: EventSink,
                 on_level: LevelSink, reference: EchoReference) -> None:
        super().__init__(speaker)
        self.mixer, self.on_events, self.on_level = mixer, on_events, on_level
        self.reference = reference
        self.underruns = 0
        self.frames_written = 0
        self.idle = True

    def stop(self) -> None:
        self.stopping.set()
        self.mixer.wakeup.set()  # out of its idle wait
        super().stop()

    def work(self, pcm: alsaaudio.PCM) -> None:
        period, channels = self.config.period_frames, self.config.channels
        idle_periods = int(IDLE_SECONDS / self.config.period_seconds)
        meter = LevelMeter(self.config.rate, self.on_level)
        silent = idle_periods
        while not self.stopping.is_set():
            if not self.mixer.active:
                silent += 1
                if silent > idle_periods:
                    if not self.idle:
                        pcm.drain()
                        self.idle = True
                        self.on_level(0.0)  # the meter falls back when the speaker stops
                    self.mixer.wakeup.wait()
                    self.mixer.wakeup.clear()
                    continue
            else:
                silent = 0
            self.idle = False
            block, events = self.mixer.render(period)
            meter.add(block)
            data = float_to_s16(interleave(block, channels)).tobytes()
            if pcm.write(data) == -errno.EPIPE:
                self.underruns += 1
                self.reference.interrupted()
                pcm.write(data)
            self.frames_written += period
            self.reference.played(block, time.monotonic())
            if events:
                self.on_events(events, time.time())
