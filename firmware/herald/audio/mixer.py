"""Mixing sources by priority into what the speaker plays.

Every playing source is a `Voice` with a priority and a volume. While a
source of higher priority plays, lower ones are interrupted (stopped) or
ducked (played quieter), as the priority rule setting says; sources of
equal priority mix. Every change of loudness is a short ramp, never a jump:
a voice fades in when it starts and out when it stops, ducking glides, and
so do the output gain and mute. Last comes the safety stage: the output
never exceeds the maximum volume, whatever the clips and gains ask for.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from herald.audio import contract
from herald.audio.contract import AudioSettings
from herald.audio.gain import db_to_gain, ramp
from herald.audio.sources import Source

FADE_IN_SECONDS = 0.005
FADE_OUT_SECONDS = 0.02
DUCK_SECONDS = 0.05
GAIN_SECONDS = 0.03
LIMITER_RELEASE_DB_PER_SECOND = 20.0


@dataclass(eq=False)
class Voice:
    """One source being played, with its place in the mix."""

    id: int
    source: Source
    priority: int
    volume: float  # linear, 1.0 plays the source as it is
    details: dict[str, Any] = field(default_factory=dict)
    envelope: float = 0.0
    target: float = 1.0
    stop_reason: str | None = None
    started: bool = False
    faded_in: bool = False
    reason: str = ""  # why it finished

    @property
    def kind(self) -> str:
        return self.source.kind

    def describe(self) -> contract.Voice:
        return contract.Voice(self.id, self.kind, self.priority, round(self.volume * 100),
                              self.source.underruns, reason=self.reason, **self.details)


@dataclass(frozen=True)
class VoiceEvent:
    what: str  # "started" or "finished"
    voice: Voice


class Mixer:
    """The sources playing now and how they add up; shared by the service and playback."""

    def __init__(self, rate: int, settings: AudioSettings) -> None:
        self.rate = rate
        self.settings = settings
        self.voices: list[Voice] = []
        self.lock = threading.Lock()
        self.wakeup = threading.Event()
        self.ids = itertools.count(1)
        self.output_gain = self._output_target()
        self.limiter_gain = 1.0

    # -- called from the service --------------------------------------------------

    def add(self, source: Source, priority: int, volume: float = 1.0, **details: Any) -> Voice:
        voice = Voice(next(self.ids), source, priority, volume, details)
        with self.lock:
            self.voices.append(voice)
        self.wakeup.set()
        return voice

    def stop(
        self, reason: str, kind: str | None = None, voice_id: int | None = None
    ) -> list[Voice]:
        """Fade out the voices of `kind` (or the one `voice_id`); they finish with `reason`."""
        with self.lock:
            chosen = [v for v in self.voices if v.stop_reason is None
                      and (kind is None or v.kind == kind)
                      and (voice_id is None or v.id == voice_id)]
            for voice in chosen:
                voice.stop_reason = reason
        return chosen

    def configure(self, settings: AudioSettings) -> None:
        with self.lock:
            self.settings = settings
            if not self.voices:  # nothing sounds: no need to glide
                self.output_gain = self._output_target()

    def playing(self) -> list[Voice]:
        with self.lock:
            return [v for v in self.voices if v.started]

    @property
    def active(self) -> bool:
        with self.lock:
            return bool(self.voices)

    # -- called from the playback thread ------------------------------------------

    def render(self, frames: int) -> tuple[np.ndarray, list[VoiceEvent]]:
        with self.lock:
            settings = self.settings
            voices = [v for v in self.voices
                      if v.started or v.stop_reason or v.source.ready or v.source.finished]
            self._apply_priorities(voices, settings)
            mix = np.zeros(frames, dtype=np.float32)
            events = []
            for voice in voices:
                events.extend(self._play(voice, mix, frames))
            out = self._output_stage(mix, settings)
        return out, events

    def _apply_priorities(self, voices: list[Voice], settings: AudioSettings) -> None:
        live = [v for v in voices if v.stop_reason is None]
        top = max((v.priority for v in live), default=0)
        for voice in live:
            if voice.priority >= top:
                voice.target = 1.0
            elif settings.priority_rule == "interrupt":
                voice.stop_reason = "interrupted"
            else:
                voice.target = db_to_gain(settings.duck_level)
        for voice in voices:
            if voice.stop_reason is not None:
                voice.target = 0.0

    def _play(self, voice: Voice, mix: np.ndarray, frames: int) -> list[VoiceEvent]:
        events = []
        if not voice.started:
            if voice.stop_reason is not None:  # stopped before a sample was heard
                return self._finish(voice, voice.stop_reason, [])
            voice.started = True
            events.append(VoiceEvent("started", voice))
        samples = voice.source.read(frames)
        if voice.stop_reason is not None:
            seconds = FADE_OUT_SECONDS
        elif not voice.faded_in:
            seconds = FADE_IN_SECONDS
        else:
            seconds = DUCK_SECONDS
        envelope = ramp(voice.envelope, voice.target, seconds, self.rate, frames)
        voice.envelope = float(envelope[-1])
        voice.faded_in = voice.faded_in or voice.envelope == voice.target
        count = len(samples)
        mix[:count] += samples * envelope[:count] * np.float32(voice.volume)
        if voice.stop_reason is not None and voice.envelope == 0.0:
            return self._finish(voice, voice.stop_reason, events)
        if voice.source.finished:
            reason = "error" if voice.source.failed else "end"
            return self._finish(voice, reason, events)
        return events

    def _finish(self, voice: Voice, reason: str, events: list[VoiceEvent]) -> list[VoiceEvent]:
        voice.reason = reason
        self.voices.remove(voice)
        voice.source.close()
        if voice.started:
            events.append(VoiceEvent("finished", voice))
        return events

    def _output_target(self) -> float:
        settings = self.settings
        return 0.0 if settings.output_mute else db_to_gain(settings.output_gain)

    def _output_stage(self, mix: np.ndarray, settings: AudioSettings) -> np.ndarray:
        frames = len(mix)
        gain = ramp(self.output_gain, self._output_target(), GAIN_SECONDS, self.rate, frames)
        self.output_gain = float(gain[-1])
        out = mix * gain
        ceiling = db_to_gain(settings.max_volume)
        peak = float(np.max(np.abs(out))) if frames else 0.0
        release = db_to_gain(LIMITER_RELEASE_DB_PER_SECOND * frames / self.rate)
        wanted = min(1.0, ceiling / peak) if peak > 0 else 1.0
        target = wanted if wanted < self.limiter_gain else min(wanted, self.limiter_gain * release)
        limiter = np.linspace(self.limiter_gain, target, frames + 1, dtype=np.float32)[1:]
        self.limiter_gain = target
        out *= limiter
        return np.clip(out, -ceiling, ceiling)
