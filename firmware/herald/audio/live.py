"""Live audio formats: what transmit.cgi accepts and how its body is read.

VAPIX names the codec in the request's Content-Type and sends raw audio
with no framing: `audio/basic` is G.711 mu-law at 8 kHz and
`audio/axis-mulaw-128` mu-law at 16 kHz. Herald also takes PCM, either as
`audio/L16;rate=...;channels=...` (RFC 2586, big-endian) or as a WAV stream
(`audio/wav`, 16-bit PCM or mu-law). Clients sometimes send a WAV header
with raw audio; a header that matches the declared codec is skipped, and a
body that is plainly something else (an MP3, an Ogg file, a WAV in another
format) is refused instead of being played as noise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from herald.audio.clipformat import FORMAT_NAMES, ClipError, sniff, starts_like_mp3
from herald.audio.g711 import ulaw_decode
from herald.audio.pcm import s16_to_float, to_mono
from herald.audio.resample import Resampler

SNIFF_BYTES = 512  # enough for a WAV header with a chunk or two before the audio
WAV_TYPES = ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave")
LIVE_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)


class LiveAudioError(ValueError):
    """A request transmit.cgi refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class LiveFormat:
    encoding: str  # "mulaw", "s16be" or "s16le"
    rate: int
    channels: int = 1
    wav: bool = False  # the body starts with a WAV header that says the rest

    @property
    def sample_bytes(self) -> int:
        return 1 if self.encoding == "mulaw" else 2

    def describe(self) -> str:
        codec = "mu-law" if self.encoding == "mulaw" else "16-bit PCM"
        return f"{codec} at {self.rate} Hz, {self.channels} channel(s)"


def parse_content_type(value: str) -> LiveFormat:
    media, _, rest = value.partition(";")
    media = media.strip().lower()
    params = {}
    for item in rest.split(";"):
        key, sep, val = item.partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    if media == "audio/basic":
        return LiveFormat("mulaw", _param_int(params, "rate", 8000, LIVE_RATES))
    if media == "audio/axis-mulaw-128":
        return LiveFormat("mulaw", 16000)
    if media == "audio/l16":
        if "rate" not in params:
            raise LiveAudioError(400, "audio/L16 needs a rate parameter, e.g. audio/L16;rate=16000")
        rate = _param_int(params, "rate", 0, LIVE_RATES)
        return LiveFormat("s16be", rate, _param_int(params, "channels", 1, (1, 2)))
    if media in WAV_TYPES:
        return LiveFormat("s16le", 0, wav=True)
    if not media:
        raise LiveAudioError(415, "the request has no Content-Type: send audio/axis-mulaw-128, "
                                  "audio/basic, audio/L16 or audio/wav")
    raise LiveAudioError(415, f"{media} is not supported: send audio/axis-mulaw-128, "
                              "audio/basic, audio/L16 or audio/wav")


def _param_int(params: dict[str, str], name: str, default: int, allowed: tuple[int, ...]) -> int:
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError:
        raise LiveAudioError(400, f"the {name} parameter must be a number") from None
    if value not in allowed:
        raise LiveAudioError(400, f"{name}={value} is not supported (use {allowed})")
    return value


def _wav_stream_format(head: bytes) -> tuple[LiveFormat, int] | None:
    """The format in a streamed WAV header and where its audio starts; None if incomplete."""
    position = 12
    found: LiveFormat | None = None
    while position + 8 <= len(head):
        chunk_id = head[position : position + 4]
        size = struct.unpack_from("<I", head, position + 4)[0]
        body = position + 8
        if chunk_id == b"data":
            if found is None:
                raise LiveAudioError(400, "the WAV stream has audio data before its format")
            return found, body
        if body + size > len(head):
            return None
        if chunk_id == b"fmt ":
            if size < 16:
                raise LiveAudioError(400, "the WAV stream's format chunk is damaged")
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", head, body)
            if tag == 0xFFFE and size >= 26:
                tag = struct.unpack_from("<H", head, body + 24)[0]
            if (tag, bits) == (1, 16):
                encoding = "s16le"
            elif (tag, bits) == (7, 8):
                encoding = "mulaw"
            else:
                raise LiveAudioError(415, f"the WAV stream's encoding (format {tag}, {bits} bits) "
                                          "is not supported: use 16-bit PCM or mu-law")
            if rate not in LIVE_RATES or channels not in (1, 2):
                raise LiveAudioError(415, f"the WAV stream's {rate} Hz, {channels} channels "
                                          "are not supported")
            found = LiveFormat(encoding, rate, channels)
        position = body + size + (size & 1)
    return None


def _container(head: bytes) -> str | None:
    """What kind of file a body starting with `head` is ("wav", or a description)."""
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith((b"ID3", b"OggS", b".snd", b"fLaC")):
        try:
            return f"an audio file ({FORMAT_NAMES[sniff(head)]})"
        except ClipError:
            return "an audio file"
    if starts_like_mp3(head):  # not mu-law that happens to start like a frame
        return "an audio file (MP3)"
    return None


class LiveDecoder:
    """Turns a live body, in the pieces it arrives in, into mono float32 at `rate`."""

    def __init__(self, declared: LiveFormat, rate: int) -> None:
        self.declared, self.rate = declared, rate
        self.format: LiveFormat | None = None
        self.head = b""
        self.partial = b""
        self.resampler: Resampler | None = None

    @property
    def decided(self) -> bool:
        return self.format is not None

    def feed(self, data: bytes, final: bool = False) -> np.ndarray:
        """Samples decoded from `data`; LiveAudioError if the body is not what it claims."""
        if self.format is None:
            self.head += data
            if len(self.head) < SNIFF_BYTES and not final:
                return np.zeros(0, dtype=np.float32)
            data, self.head = self._decide(self.head, final), b""
        return self._decode(self.partial + data)

    def _decide(self, head: bytes, final: bool) -> bytes:
        declared = self.declared
        if not head:
            raise LiveAudioError(400, "the body holds no audio")
        kind = _container(head)
        if kind == "wav":
            parsed = _wav_stream_format(head)
            if parsed is None:
                if final or len(head) >= SNIFF_BYTES * 8:
                    raise LiveAudioError(400, "the body ends inside its WAV header")
                return b""  # keep collecting the header
            found, start = parsed
            if not declared.wav and found != declared:
                raise LiveAudioError(415, f"the body is a WAV stream of {found.describe()}, not "
                                          f"{declared.describe()} as its Content-Type says")
            self.format, head = found, head[start:]
        elif kind is not None:
            raise LiveAudioError(415, f"the body is {kind}, not a live audio stream: "
                                      "upload files as clips")
        elif declared.wav:
            raise LiveAudioError(400, "the body does not start with a WAV header")
        else:
            self.format = declared
        self.resampler = Resampler(self.format.rate, self.rate)
        return head

    def _decode(self, data: bytes) -> np.ndarray:
        if self.format is None or self.resampler is None:
            return np.zeros(0, dtype=np.float32)
        frame_bytes = self.format.sample_bytes * self.format.channels
        usable = len(data) - len(data) % frame_bytes
        data, self.partial = data[:usable], data[usable:]
        if self.format.encoding == "mulaw":
            samples = ulaw_decode(data)
        else:
            samples = np.frombuffer(data, dtype=">i2" if self.format.encoding == "s16be" else "<i2")
        frames = samples.reshape(-1, self.format.channels)
        return self.resampler.process(to_mono(s16_to_float(frames)))

    def finish(self) -> np.ndarray:
        """The end of the body: whatever is still held, decoded."""
        tail = self.feed(b"", final=True) if self.format is None else np.zeros(0, np.float32)
        if self.resampler is None:
            return tail
        return np.concatenate([tail, self.resampler.flush()])
