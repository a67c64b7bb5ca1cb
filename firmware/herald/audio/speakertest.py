"""The speaker test (Audio > Speaker test in the manual), run by the audio service.

Calibration plays the sweep (herald.audio.sweep) through the mixer, as a
test tone at the tone priority, records it with the microphone through the
capture thread, and keeps the mean of two runs that agree per band as the
reference, in a file of the data directory: it survives restarts, and a
restore or factory default, which empties the data directory, forgets it.
Runs that disagree (a stray sound, a stretch of the sweep lost on a busy
device) are run again, up to CALIBRATION_TRIES, rather than averaged into a
reference every later test would be judged against.
A test plays the same sweep and fails when a band strays more than
TOLERANCE_DB from the reference, naming the bands, in a second run too.

Levels are kept relative to how hard the speaker was driven and how much
the microphone was amplified, so changing the output or input gain between
calibration and test does not fail the test. A band the room noise covers
(less than MIN_SNR_DB above its noise floor) is not judged; too many such
bands make the run inconclusive rather than a guess.

It refuses to start, with the reason, while live audio (a call) or
anything of its priority or higher plays, while the microphone (its
setting or its disable switch) or speaker cannot take part, and, for a
test, before a calibration; it stops clips of lower priority, which would
otherwise sound through it. Anything that starts to play during a run
spoils it, and the run says so.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import math
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from herald.audio import contract, sweep
from herald.audio.capture import STREAM_RATE
from herald.audio.sources import Source

if TYPE_CHECKING:
    from herald.audio.service import AudioService

log = logging.getLogger(__name__)

SWEEP_DBFS = -6.0  # the sweep's peak before the output gain
CALIBRATION_TRIES = 4  # runs, until two agree
TOLERANCE_DB = 6.0
AGREEMENT_DB = TOLERANCE_DB / 2  # two calibration runs further apart in a band disagree
MIN_SNR_DB = 10.0
MIN_JUDGED = 0.5  # fewer bands judged than this share: too noisy to tell
SETTLE_SECONDS = 0.1  # recorded after the sweep's voice ends: the room's delay
RECORD_TIMEOUT = 2.0
SLIP_TRIES = 3
PLAY_SLACK = 2.0  # beyond the stimulus' length, before a sweep that never played is given up
STORE_SCHEMA = 1


class SpeakerTestRefused(Exception):
    """The speaker test cannot run now; the message says why, for people."""


class SweepSource(Source):
    """The stimulus as a test tone the mixer plays."""

    kind = "tone"

    def __init__(self, rate: int) -> None:
        self.samples = sweep.stimulus(rate, SWEEP_DBFS)
        self.position = 0

    def read(self, frames: int) -> np.ndarray:
        block = self.samples[self.position : self.position + frames]
        self.position += len(block)
        self.finished = self.position >= len(self.samples)
        return block


class Recording:
    """What the microphone hears, from the capture thread: 16-bit blocks at STREAM_RATE."""

    def __init__(self) -> None:
        self.blocks: list[bytes] = []
        self.frames = 0
        self.wanted: int | None = None
        self.done = threading.Event()
        self.lock = threading.Lock()

    def add(self, block: bytes) -> None:
        with self.lock:
            self.blocks.append(block)
            self.frames += len(block) // 2
            if self.wanted is not None and self.frames >= self.wanted:
                self.done.set()

    def until(self, frames: int) -> None:
        """Set `done` once `frames` more than now have been heard."""
        with self.lock:
            self.wanted = self.frames + frames

    def samples(self) -> np.ndarray:
        with self.lock:
            data = b"".join(self.blocks)
        return np.frombuffer(data, dtype="<i2").astype(np.float64) / 32768


class SpeakerTest:
    """The calibration, the last result and the run under way, for the audio service."""

    def __init__(self, service: AudioService, path: Path) -> None:
        self.service, self.path = service, path
        self.reference: tuple[float | None, ...] = ()
        self.calibrated_at: float | None = None
        self.last: contract.SpeakerTestResult | None = None
        self.running = ""
        self.spoiled = ""  # what played during the run, if anything did
        self.ours: set[int] = set()  # voices of the run: its sweeps and those it stopped
        self.task: asyncio.Task | None = None

    # -- calls ----------------------------------------------------------------------

    async def start(self) -> None:
        """Read the stored reference and publish the state."""
        self.reference, self.calibrated_at = await asyncio.to_thread(load_reference, self.path)
        await self._publish_state()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def calibrate(self) -> dict[str, Any]:
        return await self._begin(contract.CALIBRATION)

    async def test(self) -> dict[str, Any]:
        if self.calibrated_at is None:
            raise SpeakerTestRefused("the speaker is not calibrated: calibrate it first")
        return await self._begin(contract.TEST)

    def play_tone(self) -> None:
        """The calibration's test tone (its sweep), as a press of the control
        button plays it for a person at the speaker; not over a run under way."""
        if self.running:
            log.info("the test tone waits: a speaker %s is running", self.running)
            return
        service = self.service
        service.mixer.stop("replaced", kind="tone")
        service.mixer.add(SweepSource(service.rate), service.settings.priority("tone"), 1.0,
                          name="speaker test tone", level=SWEEP_DBFS)

    def voice_started(self, voice: contract.Voice) -> None:
        """The service saw a voice start: anything but the sweep spoils a run."""
        if self.running and voice.voice not in self.ours:
            self.spoiled = self.spoiled or str(voice)

    # -- running --------------------------------------------------------------------

    async def _begin(self, kind: str) -> dict[str, Any]:
        self._check()
        self.running, self.spoiled = kind, ""
        self.task = asyncio.create_task(self._run(kind), name=f"speaker {kind}")
        await self._publish_state()
        return self.state().to_dict()

    def _check(self) -> None:
        service, settings = self.service, self.service.settings
        if self.running:
            raise SpeakerTestRefused(f"a speaker {self.running} is already running")
        capture = service.capture
        if capture is None or not settings.input_enabled:
            raise SpeakerTestRefused("the microphone is off (Audio > Device settings)")
        if not service.microphone.is_on:
            raise SpeakerTestRefused("the microphone is off: its disable switch on the device "
                                     "is turned off")
        if settings.input_mute:
            raise SpeakerTestRefused("the microphone is muted")
        if settings.output_mute:
            raise SpeakerTestRefused("the speaker is muted")
        if settings.echo_cancellation:
            raise SpeakerTestRefused("echo cancellation is on: it would take the test tones "
                                     "out of what the microphone hears")
        for problem in (service.playback.error, capture.error):
            if problem:
                raise SpeakerTestRefused(problem)
        priority = settings.priority("tone")
        for voice in service.mixer.playing():
            if voice.kind == "live":
                raise SpeakerTestRefused("live audio plays (a call or a stream)")
            if voice.priority >= priority:
                raise SpeakerTestRefused(f"{voice.describe()} plays with priority "
                                         f"{voice.priority}, the test's is {priority}")
        # Only lower priorities are left; their start may still be on its way.
        self.ours = {v.id for v in service.mixer.stop("interrupted")}

    async def _run(self, kind: str) -> None:
        started = time.monotonic()
        try:
            runs = (await self._calibration_runs() if kind == contract.CALIBRATION
                    else [await self._measure_whole()])
            result = self._judge(kind, runs)
            if kind == contract.TEST and result.failed:
                # A failure calls someone out to the speaker: one run spoiled by a
                # stray sound or a busy moment does not; the run after it decides.
                log.info("speaker test: %s; measuring again to confirm", result.message)
                result = self._judge(kind, [await self._measure_whole()])
        except SpeakerTestRefused as exc:
            result = contract.SpeakerTestResult(kind, False, 0, 0, (), message=str(exc))
        except Exception as exc:  # a broken run is a failed run, not a dead service
            log.exception("the speaker %s failed", kind)
            result = contract.SpeakerTestResult(kind, False, 0, 0, (), message=f"it broke: {exc}")
        finally:
            self.running = ""
        result = replace(result, at=time.time(), seconds=round(time.monotonic() - started, 2))
        if kind == contract.CALIBRATION and result.passed:
            self.reference, self.calibrated_at = result.levels, result.at
            await asyncio.to_thread(self._save)
        self.last = result
        log.info("speaker %s: %s%s", kind, result.verdict,
                 f" ({result.message})" if result.message else "")
        if kind == contract.TEST:
            await self.service.bus.publish(contract.SPEAKER_TEST_RESULT, **result.to_dict())
        await self._publish_state()

    async def _calibration_runs(self) -> list[sweep.Response]:
        runs: list[sweep.Response] = []
        for _ in range(CALIBRATION_TRIES):
            runs.append(await self._measure_whole())
            agreeing = agreeing_pair(runs)
            if agreeing:
                return agreeing
            if len(runs) > 1:
                log.warning("speaker calibration: run %d disagrees with the others: "
                            "run again", len(runs))
        raise SpeakerTestRefused(f"no two of {CALIBRATION_TRIES} calibration runs agreed "
                                 f"within {AGREEMENT_DB:g} dB: keep the room quiet and "
                                 "calibrate again")

    async def _measure_whole(self) -> sweep.Response:
        """One run that the sound card played and heard without a slip: a lost
        stretch of the sweep reads as a dead band. A run with an underrun or an
        overrun is made again, up to SLIP_TRIES times."""
        service = self.service
        for _ in range(SLIP_TRIES):
            slips = (service.playback.underruns, getattr(service.capture, "overruns", 0))
            response = await self._measure()
            now = (service.playback.underruns, getattr(service.capture, "overruns", 0))
            if now == slips:
                return response
            log.warning("the sound card slipped during a speaker test run (underruns %d, "
                        "overruns %d): run again", now[0] - slips[0], now[1] - slips[1])
        raise SpeakerTestRefused(f"the sound card slipped in each of {SLIP_TRIES} runs: "
                                 "the device is too busy to measure")

    async def _measure(self) -> sweep.Response:
        service = self.service
        capture = service.capture
        if capture is None:
            raise SpeakerTestRefused("the microphone was turned off")
        recording = Recording()
        capture.listen(recording.add)
        try:
            source = SweepSource(service.rate)
            voice = service.mixer.add(source, service.settings.priority("tone"), 1.0,
                                      name="speaker test", level=SWEEP_DBFS)
            self.ours.add(voice.id)
            try:
                reason = await asyncio.wait_for(service.finished_future(voice),
                                                len(source.samples) / service.rate + PLAY_SLACK)
            except TimeoutError:  # stopped before its first sample: no event tells
                reason = voice.reason or "not played"
            if reason != "end":
                raise SpeakerTestRefused(f"the test tones were {reason}")
            recording.until(int(SETTLE_SECONDS * STREAM_RATE))
            if not await asyncio.to_thread(recording.done.wait, RECORD_TIMEOUT):
                raise SpeakerTestRefused("the microphone stopped delivering sound")
        finally:
            capture.forget(recording.add)
        if self.spoiled:
            raise SpeakerTestRefused(f"{self.spoiled} played during the test")
        return sweep.analyse(recording.samples(), STREAM_RATE)

    def _offset(self) -> float:
        """dB the level heard owes to the settings: the drive (output gain, capped by
        the maximum volume) and the microphone's gain."""
        settings = self.service.settings
        drive = min(SWEEP_DBFS + settings.output_gain, settings.max_volume)
        return drive + settings.input_gain

    def _judge(self, kind: str,
               responses: list[sweep.Response]) -> contract.SpeakerTestResult:
        """Pass or fail (at and seconds are the caller's to fill in)."""
        offset = self._offset()
        levels = np.mean([r.levels for r in responses], axis=0) - offset
        noise = np.max([r.noise for r in responses], axis=0) - offset
        if kind == contract.CALIBRATION:
            judged = levels - noise >= MIN_SNR_DB
            stray = np.zeros(len(levels), dtype=bool)
        else:
            reference = np.array([np.nan if v is None else v for v in self.reference])
            # Judged where the calibration heard the band and the test's noise lies
            # clearly below the tolerance: there, a dead band shows as a drop.
            judged = ~np.isnan(reference) & (noise <= reference - TOLERANCE_DB - MIN_SNR_DB / 2)
            stray = np.abs(levels - np.nan_to_num(reference)) > TOLERANCE_DB
        shown = tuple(round(float(v), 1) if ok else None
                      for v, ok in zip(levels, judged, strict=True))
        failed = tuple(contract.band_name(c)
                       for c, bad in zip(sweep.BANDS, judged & stray, strict=True) if bad)
        if kind == contract.CALIBRATION and not judged.any():
            message = "the microphone did not hear the speaker"
        elif judged.mean() < MIN_JUDGED:
            message = (f"the room was too noisy: {int(judged.sum())} of {len(judged)} "
                       "bands could be measured")
        elif failed:
            message = f"out of tolerance (±{TOLERANCE_DB:g} dB): {', '.join(failed)}"
        else:
            return contract.SpeakerTestResult(kind, True, 0, 0, shown)
        return contract.SpeakerTestResult(kind, False, 0, 0, shown, failed, message)

    # -- state and storage ------------------------------------------------------------

    def state(self) -> contract.SpeakerTestState:
        return contract.SpeakerTestState(sweep.BANDS, TOLERANCE_DB, self.running,
                                         self.calibrated_at, self.reference, self.last)

    async def _publish_state(self) -> None:
        await self.service.bus.set_state(contract.SPEAKER_TEST, self.state().to_dict())

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"schema": STORE_SCHEMA, "at": self.calibrated_at,
                                         "levels": list(self.reference)}))
        temporary.replace(self.path)


def agreeing_pair(runs: list[sweep.Response]) -> list[sweep.Response]:
    """Two of `runs` that heard the same bands, each within AGREEMENT_DB of the
    other's level; none if no two did. A band one run heard and the other did
    not is a disagreement: that is how a lost stretch of the sweep shows."""
    for first, second in itertools.combinations(runs, 2):
        heard = first.snr() >= MIN_SNR_DB
        if np.array_equal(heard, second.snr() >= MIN_SNR_DB) and np.all(
                np.abs(first.levels - second.levels)[heard] <= AGREEMENT_DB):
            return [first, second]
    return []


def load_reference(path: Path) -> tuple[tuple[float | None, ...], float | None]:
    """The stored calibration's levels and time; none if there is none, or one this
    firmware cannot read (a damaged file, another schema: calibrate again)."""
    try:
        stored = json.loads(path.read_text())
    except FileNotFoundError:
        return (), None
    except (OSError, ValueError) as exc:
        log.warning("the speaker test's calibration in %s is unreadable (%s): "
                    "calibrate again", path, exc)
        return (), None
    if not isinstance(stored, dict):
        stored = {}
    levels, at = stored.get("levels"), stored.get("at")
    if (stored.get("schema") != STORE_SCHEMA or not isinstance(levels, list)
            or len(levels) != len(sweep.BANDS) or not _number(at)
            or not all(v is None or _number(v) for v in levels)):
        log.warning("the speaker test's calibration in %s is not one this firmware reads: "
                    "calibrate again", path)
        return (), None
    return tuple(None if v is None else float(v) for v in levels), float(at)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
