"""An input line read from a Linux input-event device (/dev/input/event*).

The kernel's gpio-keys driver (on a real board, or QEMU's virtual one)
reports the button and the PIR as key codes and the microphone switch as a
switch code. Each record is a struct input_event: the time, then type,
code and value. The value at start comes from the EVIOCGKEY or EVIOCGSW
ioctl; a device that does not answer them is read as inactive until its
first event.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import struct
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("herald.hal")

EVENT = struct.Struct("@llHHi")  # struct input_event: timeval, type, code, value
EV_KEY, EV_SW = 0x01, 0x05
EVENT_TYPES = {"key": EV_KEY, "switch": EV_SW}
_STATE_BYTES = 96  # KEY_MAX (0x2ff) bits, rounded up
_STATE_IOCTL = {EV_KEY: 0x18, EV_SW: 0x1B}  # EVIOCGKEY, EVIOCGSW


def _read_state_ioctl(number: int) -> int:
    """_IOR('E', number, char[_STATE_BYTES])"""
    return (2 << 30) | (_STATE_BYTES << 16) | (ord("E") << 8) | number


class EvdevLine:
    """One code of one input-event device."""

    def __init__(self, device: Path, kind: str, code: int) -> None:
        self.device = device
        self.type = EVENT_TYPES[kind]
        self.code = code
        try:
            self._fd = os.open(device, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            raise ValueError(f"cannot open input device {device}: {error.strerror}") from error
        self._wake_read, self._wake = os.pipe()
        self._thread: threading.Thread | None = None

    def value(self) -> bool:
        state = bytearray(_STATE_BYTES)
        try:
            fcntl.ioctl(self._fd, _read_state_ioctl(_STATE_IOCTL[self.type]), state)
        except OSError as error:
            if error.errno not in (errno.ENOTTY, errno.EINVAL):
                raise
            return False
        return bool(state[self.code // 8] >> (self.code % 8) & 1)

    def watch(self, changed: Callable[[bool], None]) -> None:
        self._thread = threading.Thread(target=self._read, args=(changed,),
                                        name=f"evdev {self.device}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        os.write(self._wake, b"x")
        if self._thread is not None:
            self._thread.join()
        for fd in (self._fd, self._wake_read, self._wake):
            os.close(fd)

    def _read(self, changed: Callable[[bool], None]) -> None:
        pending = b""
        while True:
            ready, _, _ = select.select([self._fd, self._wake_read], [], [])
            if self._wake_read in ready:
                return
            try:
                data = os.read(self._fd, EVENT.size * 64)
            except BlockingIOError:
                continue
            except OSError as error:  # ENODEV: the device went away
                log.error("input device %s: %s", self.device, error.strerror)
                return
            if not data:
                log.error("input device %s closed", self.device)
                return
            pending += data
            whole = len(pending) - len(pending) % EVENT.size
            for _, _, kind, code, value in EVENT.iter_unpack(pending[:whole]):
                if kind == self.type and code == self.code and value in (0, 1):
                    changed(bool(value))  # a key's 2 is auto-repeat: still pressed
            pending = pending[whole:]
