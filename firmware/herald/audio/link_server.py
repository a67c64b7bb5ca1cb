"""The audio link's server inside herald-core: live streams in, microphone out.

Each connection is one session (link.py gives the protocol): a transmit
feeds a live voice to the engine's mixer until its body ends or stalls; a
capture hands the engine's microphone blocks to the client, resampled and
encoded, dropping the oldest when the client falls behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from herald.audio.capture import STREAM_RATE
from herald.audio.g711 import ulaw_encode
from herald.audio.link import (
    CAPTURE,
    CAPTURE_ENCODINGS,
    HEADER_LIMIT,
    MAX_LISTENERS,
    TRANSMIT,
    encode,
)
from herald.audio.live import LiveAudioError, LiveDecoder, parse_content_type
from herald.audio.pcm import float_to_s16, s16_to_float
from herald.audio.resample import Resampler
from herald.audio.sources import LiveSource

if TYPE_CHECKING:
    from herald.audio.service import AudioService

READ_BYTES = 4096
LINGER_SECONDS = 2.0
CAPTURE_BACKLOG = 50  # blocks (half a second) a slow listener may fall behind
CAPTURE_RATES = (8000, 16000)


class LinkServer:
    """The unix socket at `path`, serving sessions with `engine`'s mixer and microphone."""

    def __init__(self, engine: AudioService, path: Path) -> None:
        self.engine, self.path = engine, path
        self.live_busy = False  # the speaker takes one live stream at a time
        self.listeners: set[asyncio.StreamWriter] = set()
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.server = await asyncio.start_unix_server(self._session, str(self.path),
                                                      limit=HEADER_LIMIT)
        os.chmod(self.path, 0o660)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            header = json.loads(await reader.readline())
            op = header.get("op") if isinstance(header, dict) else None
            if op == TRANSMIT:
                await self._transmit(reader, writer, header)
            elif op == CAPTURE:
                await self._capture(writer, header)
            else:
                writer.write(encode({"status": 400, "message": "unknown audio link request"}))
        except (ValueError, UnicodeDecodeError):
            writer.write(encode({"status": 400, "message": "unreadable audio link request"}))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; its audio stops with it
        finally:
            await self._linger(reader, writer)

    async def _linger(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Close as HTTP servers do: let the client read the answer before its writes fail.

        A client still sending a body we refused would otherwise get a broken
        pipe and lose the answer that says why.
        """
        with contextlib.suppress(ConnectionError, TimeoutError):
            await writer.drain()
            async with asyncio.timeout(LINGER_SECONDS):
                while await reader.read(READ_BYTES):
                    pass
        writer.close()

    async def _transmit(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        header: dict[str, Any]) -> None:
        content_type = str(header.get("content_type", ""))
        try:
            decoder = LiveDecoder(parse_content_type(content_type), self.engine.rate)
        except LiveAudioError as exc:
            writer.write(encode({"status": exc.status, "message": str(exc)}))
            return
        if self.live_busy:
            writer.write(encode({"status": 503, "message": "another live stream is playing; "
                                                           "the speaker takes one at a time"}))
            return
        self.live_busy = True
        try:
            await self._play_live(reader, writer, decoder, content_type)
        finally:
            self.live_busy = False

    async def _play_live(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         decoder: LiveDecoder, content_type: str) -> None:
        settings = self.engine.settings
        timeout = settings.receiver_timeout_ms / 1000
        first: list = []
        ended = False
        try:
            while not decoder.decided and not ended:
                chunk = await asyncio.wait_for(reader.read(READ_BYTES), timeout)
                ended = not chunk
                first.append(decoder.feed(chunk, final=ended))
        except LiveAudioError as exc:
            writer.write(encode({"status": exc.status, "message": str(exc)}))
            return
        except TimeoutError:
            writer.write(encode({"status": 408, "message": "no audio arrived"}))
            return
        prebuffer = int(settings.receiver_buffer_ms / 1000 * self.engine.rate)
        source = LiveSource(prebuffer, capacity=3 * prebuffer + self.engine.rate // 10)
        voice = self.engine.mixer.add(source, settings.priority("live"), 1.0,
                                      content_type=content_type,
                                      format=decoder.format.describe() if decoder.format else "")
        done = self.engine.finished_future(voice)
        writer.write(encode({"status": 200, "message": "playing", "voice": voice.id}))
        await writer.drain()
        reason = "end"
        # A stream must bring audio about as fast as it plays: one that trickles
        # (a byte now and then, to hold the speaker) falls behind the clock and
        # ends once it is `timeout` behind, past the jitter buffer.
        started, allowance = time.monotonic(), timeout + prebuffer / self.engine.rate
        try:
            for samples in first:
                await self._feed(source, samples, done)
            while not ended and not done.done():
                try:
                    chunk = await asyncio.wait_for(reader.read(READ_BYTES), timeout)
                except TimeoutError:
                    reason = "timeout"
                    break
                ended = not chunk
                await self._feed(source, decoder.finish() if ended else decoder.feed(chunk), done)
                behind = time.monotonic() - started - source.frames_in / self.engine.rate
                if behind > allowance:
                    reason = "timeout"
                    break
        finally:
            if reason == "timeout":
                self.engine.mixer.stop("timeout", voice_id=voice.id)
            source.end()
        finished = await done  # a stream cut for its timeout may have run dry first
        reason = reason if reason == "timeout" else finished
        played = source.frames_out / self.engine.rate
        if reason == "end":
            writer.write(encode({"status": 200, "message": "played", "seconds": round(played, 3),
                                 "underruns": source.underruns}))
        else:
            writer.write(encode({"status": 503, "message": f"the live stream ended: {reason}",
                                 "seconds": round(played, 3)}))

    async def _feed(self, source: LiveSource, samples: Any, done: asyncio.Future[str]) -> None:
        """Hand samples to the live source as its buffer makes room for them."""
        pause = self.engine.devices.playback.period_seconds
        while len(samples) and not done.done():
            room = source.space()
            if room <= 0:
                source.throttle()
                await asyncio.sleep(pause)
                continue
            source.push(samples[:room])
            samples = samples[room:]

    async def _capture(self, writer: asyncio.StreamWriter, header: dict[str, Any]) -> None:
        encoding, rate = header.get("encoding"), header.get("rate")
        if encoding not in CAPTURE_ENCODINGS or rate not in CAPTURE_RATES:
            writer.write(encode({"status": 400, "message": "capture needs an encoding "
                                 f"({', '.join(CAPTURE_ENCODINGS)}) and a rate {CAPTURE_RATES}"}))
            return
        capture = self.engine.capture
        if capture is None:
            writer.write(encode({"status": 503, "message": "the audio input is turned off"}))
            return
        listener = bool(header.get("listener"))
        if listener and not self.engine.settings.stream_enabled:
            writer.write(encode({"status": 503, "message": "audio to listeners is turned off "
                                                           "(Audio.A0.Enabled)"}))
            return
        if listener and len(self.listeners) >= MAX_LISTENERS:
            writer.write(encode({"status": 503, "message": f"{MAX_LISTENERS} clients are "
                                 "listening, the most the device serves"}))
            return
        blocks: asyncio.Queue[bytes] = asyncio.Queue(CAPTURE_BACKLOG)

        def deliver(block: bytes) -> None:  # from the capture thread
            self.engine.loop.call_soon_threadsafe(_put_dropping_oldest, blocks, block)

        resampler = Resampler(STREAM_RATE, rate)
        writer.write(encode({"status": 200, "encoding": encoding, "rate": rate, "channels": 1,
                             "content_type": CAPTURE_ENCODINGS[encoding]}))
        capture.listen(deliver)
        if listener:
            self.listeners.add(writer)
        try:
            while self.engine.capture is capture and (
                    self.engine.settings.stream_enabled or not listener):
                try:
                    block = await asyncio.wait_for(blocks.get(), 1.0)
                except TimeoutError:
                    continue
                pcm = np.frombuffer(block, dtype="<i2")
                samples = float_to_s16(resampler.process(s16_to_float(pcm)))
                writer.write(ulaw_encode(samples) if encoding == "mulaw" else samples.tobytes())
                await writer.drain()
        finally:
            capture.forget(deliver)
            self.listeners.discard(writer)


def _put_dropping_oldest(queue: asyncio.Queue[bytes], block: bytes) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(block)

