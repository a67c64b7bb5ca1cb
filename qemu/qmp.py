"""QEMU's machine protocol (QMP) on a machine's Unix socket.

QEMU serves one QMP client at a time, so a machine keeps one connection and
everything that talks to QEMU (the power button, the virtual board) sends
its commands through it, one at a time.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Any


class QMPError(RuntimeError):
    """QEMU refused a command, or could not be reached."""


class QMP:
    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._buffer = b""

    def execute(self, command: str, **arguments: Any) -> Any:
        """Run one command; its "return" value, or QMPError with QEMU's reason."""
        message: dict[str, Any] = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        with self._lock:
            try:
                if self._sock is None:
                    self._connect()
                return self._exchange(message)
            except OSError as error:
                self.close()
                raise QMPError(f"QMP {command}: {error}") from error

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock, self._buffer = None, b""

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect(self.path)
        self._sock = sock
        self._reply("QMP")  # the greeting
        self._exchange({"execute": "qmp_capabilities"})

    def _exchange(self, message: dict[str, Any]) -> Any:
        assert self._sock is not None
        self._sock.sendall(json.dumps(message).encode() + b"\n")
        reply = self._reply("return", "error")
        if "error" in reply:
            raise QMPError(f"QMP {message['execute']}: {reply['error'].get('desc', reply)}")
        return reply["return"]

    def _reply(self, *keys: str) -> dict[str, Any]:
        """The next message holding one of keys; events in between are skipped."""
        assert self._sock is not None
        while True:
            line, newline, rest = self._buffer.partition(b"\n")
            if newline:
                self._buffer = rest
                reply = json.loads(line)
                if any(key in reply for key in keys):
                    return reply
                continue
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("QEMU closed the QMP socket")
            self._buffer += chunk
