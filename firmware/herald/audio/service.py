"""The audio service inside herald-core: the engine on the bus.

Calls from the web and the workers (play a clip, stop it, play a tone,
change settings, status) arrive over the bus; the playback and capture
threads do the real-time work; what they report comes back to the event
loop and goes out on the bus as events and state:

    audio.clip.started / audio.clip.stopped    clip, name, voice, reason...
    audio.tone.started / audio.tone.stopped
    audio.live.started / audio.live.stopped    transmit.cgi streams
    audio.level.input / audio.level.output     levels in percent, ten times a second
    audio.sound_level.crossed                  the level rose above or fell below the threshold
    speakertest.result                         a speaker test passed or failed (speakertest.py)
    state audio.clip.playing, audio.live.active, audio.sound_level.triggered.0, speakertest

Live streams and microphone audio travel over the audio link (link_server.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import redis

from herald.audio import contract
from herald.audio.capture import Capture
from herald.audio.clips import ClipStore
from herald.audio.contract import AudioSettings, settings_from_params
from herald.audio.echo import EchoReference
from herald.audio.levels import LevelDetector
from herald.audio.link_server import LinkServer
from herald.audio.mixer import Mixer, Voice, VoiceEvent
from herald.audio.params import concerns_audio
from herald.audio.playback import Playback
from herald.audio.sources import ClipSource, ToneSource
from herald.audio.speakertest import SpeakerTest
from herald.bus import EVENT_PREFIX, PING, AsyncBus, BusError, Event
from herald.environment import current
from herald.hal.audio_devices import AudioDevices
from herald.hal.mic_switch import MicSwitch
from herald.hal.microphone import Microphone
from herald.hal.speaker import Speaker
from herald.params import ParamStore
from herald.params.contract import CHANGED as PARAMS_CHANGED

log = logging.getLogger(__name__)

INPUT = 0  # the one microphone; audio device control calls it input "0"
MAX_VOLUME_PERCENT = 1000  # VAPIX clip volume
MAX_REPEAT = 10000
CATCH_UP_SECONDS = 2.0  # how soon a setting stored without an announcement takes effect


def _whole(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
    return value


class AudioService:
    def __init__(self, bus: AsyncBus, devices: AudioDevices, clips: ClipStore,
                 link_path: Path, params: ParamStore, mic_switch: MicSwitch | None = None) -> None:
        self.bus, self.devices, self.clips = bus, devices, clips
        self.microphone = Microphone(devices.capture, mic_switch)
        self.params = params
        self.settings = AudioSettings()  # until start() reads the parameters
        self.rate = devices.playback.rate
        self.mixer = Mixer(self.rate, self.settings)
        self.reference = EchoReference(self.rate)
        self.playback = Playback(Speaker(devices.playback), self.mixer, self._voice_events,
                                 self._output_level, self.reference)
        self.capture: Capture | None = None
        self.detector = LevelDetector(self.settings.sound_level_threshold)
        self.level: float | None = None
        self.outbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.finished: dict[int, asyncio.Future[str]] = {}
        self.playing: dict[str, set[int]] = {"clip": set(), "tone": set(), "live": set()}
        self.tasks: list[asyncio.Task] = []
        self.link = LinkServer(self, link_path)
        self.speaker_test = SpeakerTest(self, current().data_dir / "speakertest.json")

    @property
    def handlers(self) -> dict[str, Any]:
        return {
            contract.PLAY_CLIP: self.play_clip,
            contract.STOP_CLIP: self.stop_clip,
            contract.PLAY_TONE: self.play_tone,
            contract.STOP_TONE: self.stop_tone,
            contract.STATUS: self.status,
            contract.SPEAKER_TEST_CALIBRATE: self.speaker_test.calibrate,
            contract.SPEAKER_TEST_RUN: self.speaker_test.test,
            PING: self.ping,
        }

    # -- life cycle ---------------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        for state in contract.PLAYING.values():
            await self.bus.set_state(state, False)
        self.tasks.append(asyncio.create_task(self._publish(), name="audio events"))
        pubsub = self.bus.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(EVENT_PREFIX + PARAMS_CHANGED)
        # Subscribed first, read second: no change slips in between.
        self._apply(await asyncio.to_thread(self._read_settings))
        self.tasks.append(asyncio.create_task(self._params_changed(pubsub), name="audio params"))
        self.tasks.append(asyncio.create_task(self._params_catch_up(), name="audio params check"))
        self.playback.start()
        await self.link.start()
        await self.speaker_test.start()
        switch = self.microphone.switch
        if switch is not None:
            switch.when_on = switch.when_off = self._mic_switched
            await self._publish_mic_switch()

    async def stop(self) -> None:
        """Fade out whatever plays, then let go of the devices."""
        self.link.close()
        await self.speaker_test.stop()
        stopping = self.mixer.stop("shutdown")
        waits = [self.finished_future(v) for v in stopping]
        if waits:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*waits), timeout=1.0)
        await asyncio.to_thread(self.playback.stop)
        if self.capture is not None:
            await asyncio.to_thread(self.capture.stop)
        await self.outbox.join()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    # -- calls ----------------------------------------------------------------------

    async def play_clip(self, clip: int, volume: int = 100, repeat: int = 0) -> dict[str, Any]:
        """Play clip number `clip`; `repeat` more times (-1: until stopped); volume in percent."""
        clip = _whole("clip", clip, 0, 2**31)
        volume = _whole("volume", volume, 0, MAX_VOLUME_PERCENT)
        repeat = _whole("repeat", repeat, -1, MAX_REPEAT)
        record = self.clips.get(clip)
        source = ClipSource(self.clips.path(record), self.rate, repeat)
        await asyncio.to_thread(source.prime)
        self.mixer.stop("replaced", kind="clip")
        voice = self.mixer.add(source, self.settings.priority("clip"), volume / 100,
                               clip=record.id, name=record.name, repeat=repeat)
        log.info("playing clip %d (%s) at %d %% volume%s", record.id, record.name, volume,
                 f", {repeat} more times" if repeat > 0 else
                 ", until stopped" if repeat < 0 else "")
        return voice.describe().to_dict()

    async def stop_clip(self) -> dict[str, Any]:
        return {"stopped": len(self.mixer.stop("stopped", kind="clip"))}

    async def play_tone(self, frequency: float = 1000.0, seconds: float = 1.0,
                        level: float = -12.0) -> dict[str, Any]:
        """A sine tone at `level` dBFS, e.g. to locate the device."""
        source = ToneSource(self.rate, float(frequency), float(seconds), float(level))
        self.mixer.stop("replaced", kind="tone")
        voice = self.mixer.add(source, self.settings.priority("tone"), 1.0,
                               frequency=frequency, seconds=seconds, level=level)
        return voice.describe().to_dict()

    async def stop_tone(self) -> dict[str, Any]:
        return {"stopped": len(self.mixer.stop("stopped", kind="tone"))}

    def _apply(self, settings: AudioSettings) -> None:
        self.settings = settings
        self.mixer.configure(settings)
        self.detector.threshold = settings.sound_level_threshold
        self._apply_input()

    async def status(self) -> dict[str, Any]:
        capture = self.capture
        return contract.AudioStatus(
            output=contract.OutputStatus(
                self.devices.playback.device, self.playback.error, self.playback.idle,
                self.playback.underruns, self.playback.frames_written),
            input=contract.InputStatus(
                self.devices.capture.device, capture is not None,
                capture.error if capture else None, self.level, bool(self.detector.above),
                self.microphone.is_on),
            playing=tuple(v.describe() for v in self.mixer.playing()),
            settings=self.settings,
        ).to_dict()

    async def ping(self) -> dict[str, Any]:
        """Whether the engine holds its devices: the boot health gate asks this."""
        problems = [self.playback.error or ("" if self.playback.opened else "speaker not open")]
        if self.capture is not None:
            problems.append(self.capture.error or
                            ("" if self.capture.opened else "microphone not open"))
        problems = [p for p in problems if p]
        return {"ok": True} if not problems else {"ok": False, "error": "; ".join(problems)}

    # -- settings and input ------------------------------------------------------------

    def _read_settings(self) -> AudioSettings:
        return settings_from_params(self.params.snapshot().get)

    async def _params_changed(self, pubsub: Any) -> None:
        try:
            async for message in pubsub.listen():
                try:
                    event = Event.decode(message["data"])
                except BusError:
                    continue
                changed = event.data.get("changed", {})
                if isinstance(changed, dict) and concerns_audio(changed):
                    self._apply(await asyncio.to_thread(self._read_settings))
        finally:
            await pubsub.aclose()

    async def _params_catch_up(self) -> None:
        """Apply settings stored while their announcement could not be made (Redis
        frozen or restarting then): the database says when anything was written."""
        seen = await asyncio.to_thread(self.params.generation)
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            now = await asyncio.to_thread(self.params.generation)
            if now == seen:
                continue
            seen = now
            settings = await asyncio.to_thread(self._read_settings)
            if settings != self.settings:
                log.info("applying settings changed without an announcement")
                self._apply(settings)

    def _apply_input(self) -> None:
        if self.settings.input_enabled and self.capture is None:
            self.capture = Capture(self.microphone, self.settings, self._level,
                                   self.reference)
            self.capture.start()
        elif not self.settings.input_enabled and self.capture is not None:
            capture, self.capture = self.capture, None
            capture.stop()
            self.level = None
        elif self.capture is not None:
            self.capture.configure(self.settings)

    # -- from the audio and board threads -------------------------------------------------

    def _mic_switched(self) -> None:
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, ("mic_switch",))

    async def _publish_mic_switch(self) -> None:
        on = self.microphone.is_on
        log.warning("the microphone disable switch is %s", "on" if on else "off")
        await self.bus.set_state(contract.MIC_SWITCH, contract.MicSwitchState(on).to_dict())

    def _voice_events(self, events: list[VoiceEvent], when: float) -> None:
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, ("voices", events, when))

    def _level(self, level: float) -> None:
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, ("level", level))

    def _output_level(self, level: float) -> None:
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, ("output", level))

    def finished_future(self, voice: Voice) -> asyncio.Future[str]:
        if voice.id not in self.finished:
            self.finished[voice.id] = self.loop.create_future()
        return self.finished[voice.id]

    async def _publish(self) -> None:
        bus_down = False
        while True:
            item = await self.outbox.get()
            try:
                if item[0] == "voices":
                    for event in item[1]:
                        await self._publish_voice(event, item[2])
                elif item[0] == "mic_switch":
                    await self._publish_mic_switch()
                elif item[0] == "output":
                    await self.bus.publish(contract.LEVEL_OUTPUT, **contract.OutputLevel(
                        0, round(item[1], 1)).to_dict())
                else:
                    await self._publish_level(item[1])
                bus_down = False
            except redis.RedisError as exc:  # said once, not ten times a second
                if not bus_down:
                    log.warning("cannot publish audio events while Redis does not answer "
                                "(%s); the speaker plays on", exc)
                bus_down = True
            except Exception:  # any other hiccup: the engine goes on
                log.exception("could not publish %s", item[0])
            finally:
                self.outbox.task_done()

    async def _publish_voice(self, event: VoiceEvent, when: float) -> None:
        voice, kind = event.voice, event.voice.kind
        playing = self.playing[kind]
        if event.what == "started":
            playing.add(voice.id)
            self.speaker_test.voice_started(voice.describe())
            await self.bus.publish(contract.started(kind), at=when, **voice.describe().to_dict())
            if kind in contract.PLAYING and len(playing) == 1:
                await self.bus.set_state(contract.PLAYING[kind], True)
            return
        playing.discard(voice.id)
        await self.bus.publish(contract.stopped(kind), at=when, **voice.describe().to_dict())
        if kind in contract.PLAYING and not playing:
            await self.bus.set_state(contract.PLAYING[kind], False)
        future = self.finished.pop(voice.id, None)
        if future is not None and not future.done():
            future.set_result(voice.reason)

    async def _publish_level(self, level: float) -> None:
        if self.capture is None:
            return
        self.level = round(level, 1)
        await self.bus.publish(contract.LEVEL_INPUT,
                               **contract.InputLevel(INPUT, self.level).to_dict())
        crossing = self.detector.update(level)
        if crossing is not None:
            direction = "above" if crossing.above else "below"
            await self.bus.publish(contract.SOUND_LEVEL_CROSSED, **contract.SoundLevelCrossing(
                INPUT, direction, self.level, crossing.threshold).to_dict())
            await self.bus.set_state(contract.sound_level_triggered(INPUT), crossing.above)
