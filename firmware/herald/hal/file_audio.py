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

    python -m herald.hal.file_audio up DIR   # start both, print the environment to use

prints ALSA_CONFIG_PATH and HERALD_AUDIO_CONFIG for herald-core; tests use
`FileAudioDevices` for the same thing.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile

from herald.audio.resample import Resampler

PCM_SPEAKER = "herald_speaker"
PCM_MIC = "herald_mic"
F_SETPIPE_SZ = 1031
PR_SET_PDEATHSIG = 1
PIPE_BYTES = 4096
CHUNK_FRAMES = 240  # the simulated DAC moves 5 ms at a time at 48 kHz
UNDERRUN_SLACK = 0.05  # a gap longer than this restarts the speaker's clock
HEADER_UPDATE_SECONDS = 0.1


def alsa_config(directory: Path) -> str:
    return f"""# Herald's file-backed sound card (herald.hal.file_audio)
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


def _open_pipe(path: Path, flags: int = 0) -> int:
    if not path.exists():
        os.mkfifo(path, 0o600)
    fd = os.open(path, os.O_RDWR | flags)
    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
    return fd


def run_speaker(pipe: Path, wav: Path, rate: int, channels: int, timeline: Path | None) -> None:
    """Play the pipe into `wav` in real time until SIGTERM.

    With `timeline`, each chunk's first frame and the moment it was played
    (time.time()) are logged, for latency benchmarks.
    """
    fd = _open_pipe(pipe)
    frame_bytes = 2 * channels
    out = WavAppender(wav, rate, channels)
    log = open(timeline, "w", buffering=1) if timeline else None  # noqa: SIM115
    _ready()
    clock, played, partial = None, 0, b""
    try:
        while True:
            if not select.select([fd], [], [], HEADER_UPDATE_SECONDS)[0]:
                out.flush()  # idle: let readers see everything played so far
            data = partial + os.read(fd, CHUNK_FRAMES * frame_bytes)
            usable = len(data) - len(data) % frame_bytes
            data, partial = data[:usable], data[usable:]
            now = time.monotonic()
            if clock is None or now > clock + played / rate + UNDERRUN_SLACK:
                clock = now - played / rate  # the DAC starts again after an underrun
                out.flush()
            if log:
                log.write(f"{played} {time.time():.6f}\n")
            out.append(data)
            played += usable // frame_bytes
            delay = clock + played / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    except _Stop:
        pass
    finally:
        out.close()
        if log:
            log.close()


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

    def chunk(self, frames: int) -> bytes:
        self._reload()
        count = frames * self.channels
        indices = (self.position + np.arange(count)) % len(self.samples)
        self.position = int((self.position + count) % len(self.samples))
        return self.samples[indices].tobytes()


def run_mic(pipe: Path, scene_path: Path, rate: int, channels: int, period: int) -> None:
    """Write the scene into the pipe in real time, `period` frames at a time, until SIGTERM."""
    if period * channels * 2 > PIPE_BYTES:
        raise SystemExit(f"a period of {period} frames does not fit the {PIPE_BYTES}-byte pipe")
    fd = _open_pipe(pipe, os.O_NONBLOCK)
    scene = Scene(scene_path, rate, channels)
    _ready()
    start, sent = time.monotonic(), 0
    try:
        while True:
            due = int((time.monotonic() - start) * rate) - sent
            while due >= period:
                # Writes up to a page are atomic: a reader gets whole periods.
                with contextlib.suppress(BlockingIOError):  # nobody reads: samples are lost
                    os.write(fd, scene.chunk(period))
                sent += period
                due -= period
            time.sleep(period / rate)
    except _Stop:
        pass


class _Stop(Exception):
    pass


def _raise_stop(*_: object) -> None:
    raise _Stop


def _ready() -> None:
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    print("ready", flush=True)


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
        common = ["--rate", str(self.rate), "--channels", str(self.channels)]
        speaker = ["speaker", str(self.directory / "speaker.fifo"), str(self.speaker_wav), *common]
        if self.timeline:
            speaker += ["--timeline", str(self.timeline)]
        mic = ["mic", str(self.directory / "mic.fifo"), str(self.mic_scene), *common,
               "--period", str(self.period_frames)]
        for arguments in (speaker, mic):
            process = subprocess.Popen(
                [sys.executable, "-m", "herald.hal.file_audio", *arguments],
                stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": _pythonpath()},
                preexec_fn=die_with_parent,
            )
            self.processes.append(process)
            if process.stdout is None or process.stdout.readline().strip() != "ready":
                self.stop()
                raise RuntimeError(f"the simulated {arguments[0]} did not start")
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
    parser = argparse.ArgumentParser(prog="python -m herald.hal.file_audio", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("speaker", "mic"):
        command = commands.add_parser(name)
        command.add_argument("pipe", type=Path)
        command.add_argument("file", type=Path)
        command.add_argument("--rate", type=int, default=48000)
        command.add_argument("--channels", type=int, default=1)
        if name == "speaker":
            command.add_argument("--timeline", type=Path)
        else:
            command.add_argument("--period", type=int, default=480)
    up = commands.add_parser("up", help="run the simulated sound card until Ctrl-C")
    up.add_argument("directory", type=Path)
    up.add_argument("--rate", type=int, default=48000)
    args = parser.parse_args(argv)
    if args.command == "speaker":
        run_speaker(args.pipe, args.file, args.rate, args.channels, args.timeline)
    elif args.command == "mic":
        run_mic(args.pipe, args.file, args.rate, args.channels, args.period)
    else:
        with FileAudioDevices(args.directory.resolve(), rate=args.rate) as devices:
            for key, value in devices.env.items():
                print(f"export {key}={value}")
            print(f"# the speaker plays into {devices.speaker_wav}; "
                  f"the microphone hears {devices.mic_scene}", flush=True)
            stop = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, stop)
            signal.sigwait(stop)


if __name__ == "__main__":
    main()
