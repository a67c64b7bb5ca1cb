"""The playback thread: the only writer of the speaker's ALSA PCM.

The PCM is opened once and kept. While anything plays, the thread renders
one period at a time and writes it; ALSA's blocking write keeps it in step
with the sound card. When the mix has been silent for a moment the thread
drains the PCM and sleeps until a source arrives, so an idle speaker costs
nothing and the next sound starts at once from a prepared PCM.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Callable

import alsaaudio

from herald.audio.echo import EchoReference
from herald.audio.levels import LevelMeter
from herald.audio.mixer import Mixer, VoiceEvent
from herald.audio.pcm import float_to_s16, interleave
from herald.audio.realtime import make_realtime
from herald.hal.audio_devices import PcmConfig

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.3  # silence written after the last source before the PCM is drained
REOPEN_SECONDS = 2.0

EventSink = Callable[[list[VoiceEvent], float], None]
LevelSink = Callable[[float], None]


def open_pcm(kind: int, config: PcmConfig) -> alsaaudio.PCM:
    return alsaaudio.PCM(
        kind, mode=alsaaudio.PCM_NORMAL, rate=config.rate, channels=config.channels,
        format=alsaaudio.PCM_FORMAT_S16_LE, periodsize=config.period_frames,
        periods=config.periods, device=config.device,
    )


class Playback:
    def __init__(self, config: PcmConfig, mixer: Mixer, on_events: EventSink,
                 on_level: LevelSink, reference: EchoReference) -> None:
        self.config, self.mixer, self.on_events, self.on_level = config, mixer, on_events, on_level
        self.reference = reference
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="playback", daemon=True)
        self.underruns = 0
        self.frames_written = 0
        self.error: str | None = None  # why the speaker cannot be used, if it cannot
        self.opened = False
        self.idle = True

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.mixer.wakeup.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        make_realtime(f"the {self.config.device!r} playback thread")
        while not self.stopping.is_set():
            try:
                pcm = open_pcm(alsaaudio.PCM_PLAYBACK, self.config)
            except alsaaudio.ALSAAudioError as exc:
                self._fail(f"cannot open playback device {self.config.device!r}: {exc}")
                continue
            self.error, self.opened = None, True
            try:
                self._play(pcm)
            except alsaaudio.ALSAAudioError as exc:
                self._fail(f"playback device {self.config.device!r} failed: {exc}")
            finally:
                self.opened = False
                pcm.close()

    def _fail(self, message: str) -> None:
        if message != self.error:
            log.error("%s", message)
        self.error = message
        self.stopping.wait(REOPEN_SECONDS)

    def _play(self, pcm: alsaaudio.PCM) -> None:
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
                pcm.write(data)
            self.frames_written += period
            self.reference.played(block, time.monotonic())
            if events:
                self.on_events(events, time.time())
