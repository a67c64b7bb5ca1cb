"""A thread that owns one ALSA PCM: opens it, keeps it, reopens it after a failure.

Playback and capture are both this: a real-time thread that holds its PCM
for as long as the service runs, reports why the device cannot be used
(`error`, for the health check and the status), and tries again every
REOPEN_SECONDS instead of giving up.
"""

from __future__ import annotations

import logging
import threading

import alsaaudio

from herald.audio.realtime import make_realtime
from herald.hal.audio_devices import PcmConfig

log = logging.getLogger(__name__)

REOPEN_SECONDS = 2.0


def open_pcm(kind: int, config: PcmConfig) -> alsaaudio.PCM:
    return alsaaudio.PCM(
        kind, mode=alsaaudio.PCM_NORMAL, rate=config.rate, channels=config.channels,
        format=alsaaudio.PCM_FORMAT_S16_LE, periodsize=config.period_frames,
        periods=config.periods, device=config.device,
    )


class DeviceThread:
    kind = alsaaudio.PCM_PLAYBACK
    role = "playback"

    def __init__(self, config: PcmConfig) -> None:
        self.config = config
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=self.role, daemon=True)
        self.error: str | None = None  # why the device cannot be used, if it cannot
        self.opened = False

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def work(self, pcm: alsaaudio.PCM) -> None:
        """Use the open PCM until `stopping` (raises ALSAAudioError when it fails)."""
        raise NotImplementedError

    def _run(self) -> None:
        device = f"{self.role} device {self.config.device!r}"
        make_realtime(f"the {device}")
        while not self.stopping.is_set():
            try:
                pcm = open_pcm(self.kind, self.config)
            except alsaaudio.ALSAAudioError as exc:
                self._fail(f"cannot open {device}: {exc}")
                continue
            self.error, self.opened = None, True
            try:
                self.work(pcm)
            except alsaaudio.ALSAAudioError as exc:
                self._fail(f"{device} failed: {exc}")
            finally:
                self.opened = False
                pcm.close()

    def _fail(self, message: str) -> None:
        if message != self.error:
            log.error("%s", message)
        self.error = message
        self.stopping.wait(REOPEN_SECONDS)
