"""The capture thread: the only reader of the microphone's ALSA PCM.

It applies the input gain and mute, measures the level ten times a
second for the meter and sound-level detection, and hands the
audio, converted to 16-bit mono at `STREAM_RATE`, to whoever listens: live
listening, recordings and receive.cgi. Listeners are callables that must
not block; the microphone never waits for anyone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import alsaaudio
import numpy as np

from herald.audio.contract import AudioSettings
from herald.audio.device import DeviceThread
from herald.audio.echo import EchoCanceller, EchoReference
from herald.audio.gain import db_to_gain, ramp
from herald.audio.levels import LevelMeter
from herald.audio.mixer import GAIN_SECONDS
from herald.audio.pcm import float_to_s16, s16_to_float, to_mono
from herald.audio.resample import Resampler
from herald.hal.microphone import Microphone

STREAM_RATE = 16000
CLOCK_SLACK = 0.005
LOST_SECONDS = 0.25


BlockSink = Callable[[bytes], None]
LevelSink = Callable[[float], None]


class Capture(DeviceThread):
    role = "capture"

    def __init__(self, microphone: Microphone, settings: AudioSettings, on_level: LevelSink,
                 reference: EchoReference) -> None:
        super().__init__(microphone)
        self.microphone = microphone
        self.settings, self.on_level, self.reference = settings, on_level, reference
        self.listeners: set[BlockSink] = set()
        self.lock = threading.Lock()
        self.gain = self._gain_target()
        self.overruns = 0

    def configure(self, settings: AudioSettings) -> None:
        self.settings = settings

    def listen(self, listener: BlockSink) -> None:
        with self.lock:
            self.listeners.add(listener)

    def forget(self, listener: BlockSink) -> None:
        with self.lock:
            self.listeners.discard(listener)

    def _gain_target(self) -> float:
        return 0.0 if self.settings.input_mute else db_to_gain(self.settings.input_gain)

    def work(self, pcm: alsaaudio.PCM) -> None:
        rate, channels = self.config.rate, self.config.channels
        resampler = Resampler(rate, STREAM_RATE)
        meter = LevelMeter(rate, self.on_level)
        canceller: EchoCanceller | None = None
        clock: float | None = None
        while not self.stopping.is_set():
            frames, data = self.microphone.read(pcm)
            if frames <= 0:
                if frames < 0:  # samples were lost: the clock no longer counts them
                    self.overruns += 1
                    clock = None
                else:  # a device with nothing to give: do not spin
                    self.stopping.wait(self.config.period_seconds)
                continue
            # When the last sample read was heard: one block after the one before,
            # sample by sample, as echo cancellation needs; pulled back when it would
            # lie in the future (the first read came from a full buffer) and set
            # anew when far behind (samples were lost).
            now = time.monotonic()
            clock = now if clock is None else clock + frames / rate
            if clock > now + CLOCK_SLACK or now - clock > LOST_SECONDS:
                clock = now
            raw = np.frombuffer(data, dtype="<i2")[: frames * channels].reshape(frames, channels)
            samples = to_mono(s16_to_float(raw))
            if not self.settings.echo_cancellation or self.reference.rate != rate:
                canceller = None
            elif frames == self.config.period_frames:
                canceller = canceller or EchoCanceller(frames, rate)
                far = self.reference.window(clock - frames / rate, frames)
                samples = canceller.process(samples, far)
            gain = ramp(self.gain, self._gain_target(), GAIN_SECONDS, rate, frames)
            self.gain = float(gain[-1])
            samples = samples * gain
            meter.add(samples)
            with self.lock:
                listeners = list(self.listeners)
            if listeners:
                block = float_to_s16(resampler.process(samples)).tobytes()
                for listener in listeners:
                    listener(block)
