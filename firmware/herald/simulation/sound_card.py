"""A sound card made of files, for development and tests on a host.

The engine talks to real ALSA PCMs; only the physical world behind them is
simulated. ALSA's `file` plugin (with the `null` plugin as its slave) turns
each PCM into a named pipe, and two small processes play the hardware on
the other end of the pipes:

- the speaker reads the playback pipe at the sample rate, like a DAC, and
  appends everything it "plays" to a WAV file that tests analyse;
- the microphone writes a scene (a WAV file, looped; silence without one)
  into the capture pipe at the sample rate, like an ADC, dropping samples
  when nobody reads, as a real one overruns. It writes whole capture
  periods: alsa-lib 1.2.8's file plugin returns a full period even when
  the pipe held less, with stale samples in the rest.

ALSA's file and null plugins do not keep time by themselves; the pipes,
shrunk to one page, make the engine's blocking writes and reads keep real
time as they do on hardware. Each simulator holds both ends of its pipe so
the engine can open and close its PCM at any time.

    python -m herald.simulation.sound_card up DIR   # start both, print the environment to use

prints ALSA_CONFIG_PATH and HERALD_AUDIO_CONFIG for herald-core; tests use
`FileAudioDevices` for the same thing.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import soundfile

from herald.audio.realtime import make_realtime
from herald.audio.resample import Resampler

PCM_SPEAKER = "herald_speaker"
PCM_MIC = "herald_mic"
F_SETPIPE_SZ = 1031
PR_SET_PDEATHSIG = 1
PIPE_BYTES = 4096  # the speaker's pipe: a page, so writes keep time like a DAC's buffer
MIC_PIPE_BYTES = 16384  # the microphone's: room to catch up after the simulator was held up
CHUNK_FRAMES = 240  # the simulated DAC moves 5 ms at a time at 48 kHz
UNDERRUN_SLACK = 0.05  # a gap longer than this restarts the speaker's clock
HEADER_UPDATE_SECONDS = 0.1
RESPONSE_TAPS = 2048  # the room's frequency response: 43 ms at 48 kHz, 23 Hz apart
FFT_SIZE = 4096  # a period (up to PIPE_BYTES) and the taps fit


def alsa_config(directory: Path) -> str:
    return f"""# Herald's file-backed sound card (herald.simulation.sound_card)
pcm.{PCM_SPEAKER} {{
    type file
    slave.pcm "null"
    file "{directory / 'speaker.fifo'}"
    format "raw"
}}
pcm.{PCM_MIC} {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{directory / 'mic.fifo'}"
    format "raw"
}}
"""


def devices_config(rate: int, channels: int, period_frames: int) -> str:
    return "".join(
        f'[{role}]\ndevice = "{pcm}"\nrate = {rate}\nchannels = {channels}\n'
        f"period_frames = {period_frames}\nperiods = 4\n\n"
        for role, pcm in (("playback", PCM_SPEAKER), ("capture", PCM_MIC))
    )


# -- the speaker ------------------------------------------------------------------


class WavAppender:
    """A 16-bit WAV file that grows while it is read: the header stays current."""

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self.rate, self.channels, self.data_bytes = rate, channels, 0
        self.updated = 0.0
        os.write(self.fd, self._header())

    def _header(self) -> bytes:
        block = 2 * self.channels
        return struct.pack(
            "<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + self.data_bytes, b"WAVE", b"fmt ", 16, 1,
            self.channels, self.rate, self.rate * block, block, 16, b"data", self.data_bytes,
        )

    def append(self, data: bytes) -> None:
        os.write(self.fd, data)
        self.data_bytes += len(data)
        now = time.monotonic()
        if now - self.updated >= HEADER_UPDATE_SECONDS:
            self.flush()
            self.updated = now

    def flush(self) -> None:
        os.pwrite(self.fd, self._header(), 0)

    def close(self) -> None:
        self.flush()
        os.close(self.fd)


def _open_pipe(path: Path, size: int, flags: int = 0) -> int:
    if not path.exists():
        os.mkfifo(path, 0o600)
    fd = os.open(path, os.O_RDWR | flags)
    fcntl.fcntl(fd, F_SETPIPE_SZ, size)
    return fd


def run_speaker(pipe: Path, wav: Path, rate: int, channels: int, timeline: Path | None,
                room: Room, opened: threading.Event, stop: threading.Event) -> None:
    """Play the pipe into `wav` in real time until `stop`.

    With `timeline`, each chunk's first frame and the moment it was played
    (time.time()) are logged, for latency benchmarks.
    """
    make_realtime("the simulated speaker")  # hardware keeps time whatever the load
    fd = _open_pipe(pipe, PIPE_BYTES)
    opened.set()
    frame_bytes = 2 * channels
    out = WavAppender(wav, rate, channels)
    log = open(timeline, "w", buffering=1) if timeline else None  # noqa: SIM115
    clock, played, partial = 0.0, 0, b""
    try:
        while not stop.is_set():
            if not select.select([fd], [], [], HEADER_UPDATE_SECONDS)[0]:
                out.flush()  # idle: let readers see everything played so far
                continue
            data = partial + os.read(fd, CHUNK_FRAMES * frame_bytes)
            usable = len(data) - len(data) % frame_bytes
            data, partial = data[:usable], data[usable:]
            now = time.monotonic()
            if now > clock + played / rate + UNDERRUN_SLACK:
                clock = now - played / rate  # the DAC starts again after an underrun
                out.flush()
            if log:
                log.write(f"{played} {time.time():.6f}\n")
            out.append(data)
            room.played(np.frombuffer(data, dtype="<i2"), clock + played / rate)
            played += usable // frame_bytes
            delay = clock + played / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    finally:
        out.close()
        if log:
            log.close()


# -- the room between them ---------------------------------------------------------


class Room:
    """Sound from the speaker reaching the microphone: `gain_db` quieter, `delay_ms` later,
    shaped by `response` if the room has one.

    Set by a small JSON file (FileAudioDevices.set_room); without it the
    room is silent. Speaker-to-microphone coupling is what echo cancellation
    and the speaker test work against. A response is a list of [Hz, dB]
    points, joined straight on a log-frequency scale and held flat beyond
    the outer ones (a notch, a dead tweeter); it is a linear-phase filter of
    RESPONSE_TAPS, which adds half its length to the delay.
    """

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        self.path, self.rate, self.channels = path, rate, channels
        self.history = np.zeros(2 * rate, dtype=np.float32)  # the last two seconds played
        self.end = time.monotonic()  # when the last sample in history was played
        self.lock = threading.Lock()
        self.stamp: tuple[int, int] | None = None
        self.gain, self.delay = 0.0, 0.0
        self.response: np.ndarray | None = None  # the filter's spectrum, FFT_SIZE long

    def played(self, samples: np.ndarray, start: float) -> None:
        mono = samples.reshape(-1, self.channels).mean(axis=1).astype(np.float32) / 32768
        end = start + len(mono) / self.rate
        with self.lock:
            silence = min(round((start - self.end) * self.rate), len(self.history))
            if silence > 0:  # the speaker was idle in between
                mono = np.concatenate([np.zeros(silence, dtype=np.float32), mono])
            mono = mono[-len(self.history) :]
            self.history = np.concatenate([self.history[len(mono) :], mono])
            self.end = end

    def echo(self, end: float, frames: int) -> np.ndarray:
        """What the microphone hears of the speaker over the `frames` before `end`."""
        self._reload()
        if self.gain == 0.0:
            return np.zeros(frames, dtype=np.float32)
        extra = RESPONSE_TAPS - 1 if self.response is not None else 0
        with self.lock:
            last = len(self.history) - round((self.end - (end - self.delay)) * self.rate)
            window = np.zeros(frames + extra, dtype=np.float32)
            first = last - frames - extra
            lo, hi = max(first, 0), min(last, len(self.history))
            if hi > lo:
                window[lo - first : hi - first] = self.history[lo:hi]
        if self.response is not None:
            size = len(self.response) * 2 - 2
            window = np.fft.irfft(np.fft.rfft(window, size) * self.response, size)[
                extra : extra + frames].astype(np.float32)
        return window * np.float32(self.gain)

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self.stamp, self.gain = None, 0.0
            return
        stamp = (stat.st_ino, stat.st_mtime_ns)
        if stamp != self.stamp:
            self.stamp = stamp
            room = json.loads(self.path.read_text())
            self.gain = 10 ** (float(room["gain_db"]) / 20)
            self.delay = float(room["delay_ms"]) / 1000
            points = room.get("response") or []
            self.response = room_filter(points, self.rate) if points else None


def room_filter(points: list[list[float]], rate: int) -> np.ndarray:
    """The spectrum (FFT_SIZE bins) of a linear-phase filter following `points`."""
    hz, db = np.array(points, dtype=float).T
    frequencies = np.fft.rfftfreq(RESPONSE_TAPS, 1 / rate)
    gains = 10 ** (np.interp(np.log(np.maximum(frequencies, 1.0)), np.log(hz), db) / 20)
    taps = np.roll(np.fft.irfft(gains, RESPONSE_TAPS), RESPONSE_TAPS // 2)
    return np.fft.rfft(taps * np.hanning(RESPONSE_TAPS), FFT_SIZE)


# -- the microphone ---------------------------------------------------------------


class Scene:
    """What the microphone hears: a WAV file, looped, reread when it changes."""

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        self.path, self.rate, self.channels = path, rate, channels
        self.stamp: tuple[int, int] | None = None
        self.samples = np.zeros(channels, dtype=np.int16)
        self.position = 0

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            stamp = None
        else:
            stamp = (stat.st_ino, stat.st_mtime_ns)
        if stamp == self.stamp:
            return
        self.stamp, self.position = stamp, 0
        if stamp is None:
            self.samples = np.zeros(self.channels, dtype=np.int16)
            return
        audio, rate = soundfile.read(self.path, dtype="float32", always_2d=True)
        mono = Resampler(rate, self.rate).process(audio.mean(axis=1))
        pcm = np.clip(np.rint(mono * 32768), -32768, 32767).astype(np.int16)
        self.samples = np.repeat(pcm, self.channels) if pcm.size else self.samples

    def chunk(self, frames: int) -> np.ndarray:
        """The next `frames` of the scene, interleaved 16-bit."""
        self._reload()
        count = frames * self.channels
        indices = (self.position + np.arange(count)) % len(self.samples)
        self.position = int((self.position + count) % len(self.samples))
        return self.samples[indices]


def run_mic(pipe: Path, scene_path: Path, rate: int, channels: int, period: int, room: Room,
            opened: threading.Event, stop: threading.Event) -> None:
    """Write the scene and the room's echo into the pipe in real time, `period` frames
    at a time, until `stop`."""
    make_realtime("the simulated microphone")
    fd = _open_pipe(pipe, MIC_PIPE_BYTES, os.O_NONBLOCK)
    opened.set()
    scene = Scene(scene_path, rate, channels)
    start, sent = time.monotonic(), 0
    while not stop.is_set():
        due = int((time.monotonic() - start) * rate) - sent
        while due >= period:
            sent += period
            echo = room.echo(start + sent / rate, period)
            heard = scene.chunk(period).astype(np.int32) + np.repeat(
                np.rint(echo * 32768).astype(np.int32), channels)
            # Writes up to a page are atomic: a reader gets whole periods.
            with contextlib.suppress(BlockingIOError):  # nobody reads: samples are lost
                os.write(fd, np.clip(heard, -32768, 32767).astype("<i2").tobytes())
            due -= period
        time.sleep(period / rate)


def run_card(directory: Path, rate: int, channels: int, period: int,
             timeline: bool) -> None:
    """The whole simulated card (speaker, microphone, room) until SIGTERM."""
    if period * channels * 2 > PIPE_BYTES:
        raise SystemExit(f"a period of {period} frames does not fit the {PIPE_BYTES}-byte pipe")
    stop = threading.Event()
    room = Room(directory / "room.json", rate, channels)
    opened = [threading.Event(), threading.Event()]
    parts = [
        threading.Thread(target=run_speaker, args=(
            directory / "speaker.fifo", directory / "speaker.wav", rate, channels,
            directory / "speaker.timeline" if timeline else None, room, opened[0], stop)),
        threading.Thread(target=run_mic, args=(
            directory / "mic.fifo", directory / "mic-scene.wav", rate, channels, period,
            room, opened[1], stop)),
    ]
    stopping = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stopping)  # the threads inherit the mask
    for part in parts:
        part.start()
    if not all(event.wait(10) for event in opened):
        raise SystemExit("the simulated card's pipes did not open")
    print("ready", flush=True)
    signal.sigwait(stopping)
    stop.set()
    for part in parts:
        part.join()


# -- managing both ----------------------------------------------------------------


class FileAudioDevices:
    """The simulated sound card as a context manager, for tests and development."""

    def __init__(self, directory: Path, rate: int = 48000, channels: int = 1,
                 period_frames: int = 480, timeline: bool = False) -> None:
        self.directory = Path(directory)
        self.rate, self.channels, self.period_frames = rate, channels, period_frames
        self.speaker_wav = self.directory / "speaker.wav"
        self.mic_scene = self.directory / "mic-scene.wav"
        self.timeline = self.directory / "speaker.timeline" if timeline else None
        self.asoundrc = self.directory / "asoundrc"
        self.devices_toml = self.directory / "audio.toml"
        self.processes: list[subprocess.Popen] = []

    @property
    def env(self) -> dict[str, str]:
        """What a process needs in its environment to use this sound card."""
        return {
            "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{self.asoundrc}",
            "HERALD_AUDIO_CONFIG": str(self.devices_toml),
        }

    def start(self) -> FileAudioDevices:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.asoundrc.write_text(alsa_config(self.directory))
        self.devices_toml.write_text(devices_config(self.rate, self.channels, self.period_frames))
        arguments = ["card", str(self.directory), "--rate", str(self.rate), "--channels",
                     str(self.channels), "--period", str(self.period_frames)]
        if self.timeline:
            arguments.append("--timeline")
        process = subprocess.Popen(
            [sys.executable, "-m", "herald.simulation.sound_card", *arguments],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": _pythonpath()},
            preexec_fn=die_with_parent,
        )
        self.processes.append(process)
        if process.stdout is None or process.stdout.readline().strip() != "ready":
            self.stop()
            raise RuntimeError("the simulated sound card did not start")
        return self

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()
        self.processes.clear()

    def __enter__(self) -> FileAudioDevices:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def set_scene(self, samples: np.ndarray, rate: int) -> None:
        """Make the microphone hear `samples` (float, mono), looped, from now on."""
        temporary = self.mic_scene.with_suffix(".tmp.wav")
        soundfile.write(temporary, samples, rate, subtype="PCM_16")
        os.replace(temporary, self.mic_scene)

    def set_room(self, gain_db: float | None, delay_ms: float = 20.0,
                 response: list[tuple[float, float]] | None = None) -> None:
        """Let the microphone hear the speaker, `gain_db` quieter and `delay_ms` later,
        through `response` ([Hz, dB] points, see Room); None makes the room silent again."""
        room = self.directory / "room.json"
        if gain_db is None:
            room.unlink(missing_ok=True)
            return
        temporary = room.with_suffix(".tmp")
        temporary.write_text(json.dumps({"gain_db": gain_db, "delay_ms": delay_ms,
                                         "response": response or []}))
        os.replace(temporary, room)

    def speaker_frames(self) -> int:
        """Frames the speaker has played so far."""
        try:
            return soundfile.info(self.speaker_wav).frames
        except (RuntimeError, soundfile.LibsndfileError):
            return 0

    def speaker_audio(self, start: int = 0) -> np.ndarray:
        """What the speaker played from frame `start` on, mono float32."""
        audio, _ = soundfile.read(self.speaker_wav, start=start, dtype="float32", always_2d=True)
        return audio.mean(axis=1)


def die_with_parent() -> None:
    """For Popen(preexec_fn=...): the child gets SIGTERM when its parent dies, so a
    killed test run or development session leaves no simulated hardware behind."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _pythonpath() -> str:
    package_root = str(Path(__file__).resolve().parents[2])
    existing = os.environ.get("PYTHONPATH")
    return f"{package_root}:{existing}" if existing else package_root


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m herald.simulation.sound_card",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("card", "up"):
        command = commands.add_parser(name, help="run the simulated sound card"
                                      + (" and print its environment" if name == "up" else ""))
        command.add_argument("directory", type=Path)
        command.add_argument("--rate", type=int, default=48000)
        command.add_argument("--channels", type=int, default=1)
        command.add_argument("--period", type=int, default=480)
        command.add_argument("--timeline", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "card":
        run_card(args.directory, args.rate, args.channels, args.period, args.timeline)
        return
    with FileAudioDevices(args.directory.resolve(), rate=args.rate, channels=args.channels,
                          period_frames=args.period, timeline=args.timeline) as devices:
        for key, value in devices.env.items():
            print(f"export {key}={value}")
        print(f"# the speaker plays into {devices.speaker_wav}; "
              f"the microphone hears {devices.mic_scene}", flush=True)
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        signal.sigwait(stop)


if __name__ == "__main__":
    main()
