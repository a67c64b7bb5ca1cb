"""A thread that owns one ALSA PCM: opens it, keeps it, reopens it after a failure.

Playback and capture are both this: a real-time thread that holds its PCM
(opened by the HAL's Speaker or Microphone) for as long as the service
runs, reports why the device cannot be used
(`error`, for the health check and the status), and tries again every
REOPEN_SECONDS instead of giving up.
"""

from __future__ import annotations

import logging
import threading

import alsaaudio

from herald.audio.realtime import make_realtime
from herald.hal.microphone import Microphone
from herald.hal.speaker import Speaker

log = logging.getLogger(__name__)

REOPEN_SECONDS = 2.0


class DeviceThread:
    role = "playback"

    def __init__(self, device: Speaker | Microphone) -> None:
        self.device = device
        self.config = device.config
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
                pcm = self.device.open()
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
