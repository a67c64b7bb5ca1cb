"""The audio link: a unix socket for audio data between the core and its clients.

The bus carries small JSON calls; audio itself (a live stream for
transmit.cgi, the microphone for listening, receive.cgi and recordings)
goes over this socket, where the kernel's flow control bounds the buffering
end to end.

A client opens a connection and sends one JSON line:

    {"op": "transmit", "content_type": "audio/axis-mulaw-128"}   then the body
    {"op": "capture", "encoding": "mulaw" | "s16le", "rate": 8000 | 16000, "listener": bool}

A listener is a client listening over the network (receive.cgi, the web
page's Listen): at most MAX_LISTENERS at once, and none while audio to
listeners is off (Audio.A0.Enabled). A recording is no listener.

The core answers with JSON lines. The first says whether it goes ahead,
`{"status": 200, ...}`, or why not, `{"status": 415, "message": "..."}`, with
the HTTP status the web answers with. A transmit then gets a last line when
its audio has been played; a capture gets raw audio until it hangs up.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path
from typing import Any

from herald.environment import Environment

HEADER_LIMIT = 4096
TRANSMIT = "transmit"
CAPTURE = "capture"
CAPTURE_ENCODINGS = {"mulaw": "audio/basic", "s16le": "audio/L16"}
# Each listener costs the core's loop a resampler and an encoder at 100 blocks
# a second, about 1 % of a core on a development host (several times that on a
# small board): the limit keeps listeners from starving the speaker.
MAX_LISTENERS = 10


def socket_path(environment: Environment) -> Path:
    """Where the core listens: HERALD_RUN_DIR, else the data directory's run/."""
    run_dir = os.environ.get("HERALD_RUN_DIR")
    return (Path(run_dir) if run_dir else environment.data_dir / "run") / "audio.sock"


class LinkError(Exception):
    """The core refused or broke the session; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    if not line:
        raise LinkError(503, "the audio service closed the connection")
    try:
        message = json.loads(line)
    except ValueError:
        raise LinkError(502, "the audio service sent something unreadable") from None
    if not isinstance(message, dict) or not isinstance(message.get("status"), int):
        raise LinkError(502, "the audio service sent something unreadable")
    return message


async def connect(path: Path, header: dict[str, Any]) -> tuple[asyncio.StreamReader,
                                                                asyncio.StreamWriter]:
    try:
        reader, writer = await asyncio.open_unix_connection(str(path))
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        raise LinkError(503, "the audio service is not running") from exc
    writer.write(encode(header))
    await writer.drain()
    return reader, writer


class TransmitClient:
    """The web's side of a transmit session (asyncio)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, path: Path, content_type: str) -> TransmitClient:
        return cls(*await connect(path, {"op": TRANSMIT, "content_type": content_type}))

    async def send(self, data: bytes) -> None:
        """Pass on a piece of the body; waits while the core's buffer is full."""
        self.writer.write(data)
        await self.writer.drain()

    async def end(self) -> None:
        """The body is complete."""
        if self.writer.can_write_eof():
            self.writer.write_eof()
        await self.writer.drain()

    async def reply(self) -> dict[str, Any]:
        """The core's next message; LinkError when it refuses or fails."""
        message = decode(await self.reader.readline())
        if message["status"] != 200:
            raise LinkError(message["status"], str(message.get("message", "")))
        return message

    def close(self) -> None:
        # Not wait_closed(): on a connection the core already dropped it raises
        # the broken pipe again and, under Python 3.11, can replace the
        # exception being handled (a refusal) with it.
        self.writer.close()


class CaptureClient:
    """A listener's side of a capture session, for blocking code (workers)."""

    def __init__(self, path: Path, encoding: str = "s16le", rate: int = 16000,
                 timeout: float = 5.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            self.sock.close()
            raise LinkError(503, "the audio service is not running") from exc
        self.sock.sendall(encode({"op": CAPTURE, "encoding": encoding, "rate": rate}))
        self.file = self.sock.makefile("rb")
        self.info = decode(self.file.readline(HEADER_LIMIT))
        if self.info["status"] != 200:
            self.close()
            raise LinkError(self.info["status"], str(self.info.get("message", "")))

    def read(self, size: int = 4096) -> bytes:
        """Up to `size` bytes of audio; b"" when the core ends the stream."""
        return self.file.read1(size)

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self) -> CaptureClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


async def open_capture(path: Path, encoding: str = "s16le", rate: int = 16000
                       ) -> tuple[dict[str, Any], asyncio.StreamReader, asyncio.StreamWriter]:
    """A listener's capture session, for asyncio code (the web): the core's answer
    and the stream of audio."""
    reader, writer = await connect(path, {"op": CAPTURE, "encoding": encoding, "rate": rate,
                                          "listener": True})
    info = decode(await reader.readline())
    if info["status"] != 200:
        writer.close()
        raise LinkError(info["status"], str(info.get("message", "")))
    return info, reader, writer
