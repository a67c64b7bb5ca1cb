"""What a clip file really is, read from its bytes before anything is stored.

The manual's clip formats are .au, .wav, .mp3, .opus and .vorbis. A file is
identified by its content (magic numbers), compared with what its name
claims, and its container walked end to end: a truncated or damaged file, a
file whose name lies about its content and a file in a format or variant the
speaker does not play each get a `ClipError` whose message tells the user
what is wrong. Decoding the audio itself is `decode`'s job.
"""

from __future__ import annotations

import itertools
import struct
import zlib
from dataclasses import dataclass
from pathlib import PurePath

from herald.audio.contract import CLIP_EXTENSIONS

MIN_RATE = 8000
MAX_RATE = 48000
MAX_CHANNELS = 2
MP3_MIN_KBPS = 64
MP3_MAX_KBPS = 320

# File extension a stored clip of each format gets.
STORED_EXTENSION = {"au": ".au", "wav": ".wav", "mp3": ".mp3", "opus": ".opus", "vorbis": ".ogg"}
FORMAT_NAMES = {"au": "AU", "wav": "WAV", "mp3": "MP3", "opus": "Ogg Opus", "vorbis": "Ogg Vorbis"}


class ClipError(ValueError):
    """The file cannot be a clip; the message is meant for the person uploading."""


@dataclass(frozen=True)
class ClipInfo:
    format: str  # au, wav, mp3, opus, vorbis
    codec: str  # e.g. "PCM 16-bit", "mu-law", "MPEG-1 Layer III"
    rate: int
    channels: int
    frames: int  # per channel, at `rate`, as the container declares
    bitrate_kbps: int = 0

    @property
    def duration(self) -> float:
        return self.frames / self.rate


def claimed_formats(filename: str) -> tuple[str, ...]:
    extension = PurePath(filename).suffix.lower()
    if extension not in CLIP_EXTENSIONS:
        allowed = ", ".join(sorted(CLIP_EXTENSIONS))
        raise ClipError(
            f"{filename!r} is not a supported clip file: the name must end in {allowed}"
        )
    return CLIP_EXTENSIONS[extension]


def sniff(data: bytes) -> str:
    """The clip format the content starts like; ClipError for anything else."""
    if data.startswith(b".snd"):
        return "au"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "wav"
    if data.startswith(b"OggS"):
        return _ogg_codec(data)
    if data.startswith(b"ID3") or starts_like_mp3(data):
        return "mp3"
    raise ClipError(f"the file is not audio in a supported format ({_describe(data)})")


def starts_like_mp3(data: bytes) -> bool:
    """Two MPEG audio frames in a row: random bytes seldom look like that."""
    frame = mpeg_header(data, 0)
    return frame is not None and frame.length > 0 and (
        mpeg_header(data, frame.length) is not None or len(data) == frame.length
    )


def _describe(data: bytes) -> str:
    known = {
        b"fLaC": "it is FLAC",
        b"FORM": "it is AIFF",
        b"RIFX": "it is a big-endian RIFF file",
        b"RF64": "it is an RF64 file",
        b"caff": "it is Apple CAF",
        b"\x1aE\xdf\xa3": "it is Matroska/WebM",
        b"%PDF": "it is a PDF document",
        b"PK\x03\x04": "it is a ZIP archive",
        b"\x89PNG": "it is a PNG image",
        b"\xff\xd8\xff": "it is a JPEG image",
    }
    for magic, what in known.items():
        if data.startswith(magic):
            return what
    if data[4:8] == b"ftyp":
        return "it is MP4/M4A; AAC is not a clip format"
    if data.startswith(b"RIFF"):
        return "it is a RIFF file but not WAVE"
    if not data:
        return "the file is empty"
    if all(32 <= b < 127 or b in b"\r\n\t" for b in data[:256]):
        return "it is text"
    return "unknown content"


def inspect_clip(data: bytes, filename: str) -> ClipInfo:
    """Identify, walk and check a whole clip file held in memory."""
    claimed = claimed_formats(filename)
    actual = sniff(data)
    if actual not in claimed:
        suggested = STORED_EXTENSION[actual]
        raise ClipError(
            f"{filename!r} is named like {FORMAT_NAMES[claimed[0]]} but contains "
            f"{FORMAT_NAMES[actual]}; rename it to end in {suggested} if that is intended"
        )
    try:
        info = _INSPECTORS[actual](data)
    except (struct.error, IndexError) as exc:  # a field that should be there is not
        raise ClipError(f"the file is truncated or damaged ({FORMAT_NAMES[actual]})") from exc
    _check_common(info)
    return info


def _check_common(info: ClipInfo) -> None:
    if not MIN_RATE <= info.rate <= MAX_RATE:
        raise ClipError(
            f"sample rate {info.rate} Hz is not supported: use {MIN_RATE} to {MAX_RATE} Hz"
        )
    if not 1 <= info.channels <= MAX_CHANNELS:
        raise ClipError(f"{info.channels} channels are not supported: use mono or stereo")
    if info.frames <= 0:
        raise ClipError("the file holds no audio")


# -- AU ------------------------------------------------------------------------

_AU_ENCODINGS = {1: ("mu-law", 1), 2: ("PCM 8-bit", 1), 3: ("PCM 16-bit", 2), 27: ("A-law", 1)}


def _inspect_au(data: bytes) -> ClipInfo:
    if len(data) < 24:
        raise ClipError("the AU header is truncated")
    offset, size, encoding, rate, channels = struct.unpack_from(">5I", data, 4)
    if encoding not in _AU_ENCODINGS:
        raise ClipError(f"AU encoding {encoding} is not supported: use mu-law, A-law or PCM")
    codec, width = _AU_ENCODINGS[encoding]
    if not 24 <= offset <= len(data):
        raise ClipError("the AU header is damaged (bad data offset)")
    available = len(data) - offset
    if size == 0xFFFFFFFF:
        size = available
    elif size > available:
        raise ClipError(f"the file is truncated: the AU header declares {size} bytes of audio, "
                        f"{available} are present")
    if channels == 0 or size % (width * channels):
        raise ClipError("the file is truncated or damaged: the audio ends inside a frame")
    return ClipInfo("au", codec, rate, channels, size // (width * channels))


# -- WAV -----------------------------------------------------------------------

_WAV_CODECS = {1: "PCM", 3: "float", 6: "A-law", 7: "mu-law"}
_WAV_BITS = {1: (8, 16, 24, 32), 3: (32, 64), 6: (8,), 7: (8,)}


def _inspect_wav(data: bytes) -> ClipInfo:
    if len(data) < 12:
        raise ClipError("the WAV header is truncated")
    riff_size = struct.unpack_from("<I", data, 4)[0]
    if riff_size + 8 > len(data):
        raise ClipError(f"the file is truncated: the WAV header declares {riff_size + 8} bytes, "
                        f"the file has {len(data)}")
    fmt: tuple[int, int, int, int, int] | None = None
    position, end = 12, riff_size + 8
    while position + 8 <= end:
        chunk_id = data[position : position + 4]
        chunk_size = struct.unpack_from("<I", data, position + 4)[0]
        body = position + 8
        if body + chunk_size > end:
            raise ClipError(
                f"the file is truncated or damaged: WAV chunk {chunk_id!r} runs past the end"
            )
        if chunk_id == b"fmt ":
            fmt = _wav_fmt(data[body : body + chunk_size])
        elif chunk_id == b"data":
            if fmt is None:
                raise ClipError("the WAV file is damaged: audio data comes before its format")
            return _wav_info(fmt, chunk_size)
        position = body + chunk_size + (chunk_size & 1)
    raise ClipError("the WAV file has no audio data chunk")


def _wav_fmt(chunk: bytes) -> tuple[int, int, int, int, int]:
    if len(chunk) < 16:
        raise ClipError("the WAV format chunk is damaged")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", chunk)
    if tag == 0xFFFE and len(chunk) >= 26:
        tag = struct.unpack_from("<H", chunk, 24)[0]  # first two bytes of the SubFormat GUID
    return tag, channels, rate, block_align, bits


def _wav_info(fmt: tuple[int, int, int, int, int], data_size: int) -> ClipInfo:
    tag, channels, rate, block_align, bits = fmt
    if tag == 0x55:
        raise ClipError("WAV files with MP3 inside are not supported: upload the MP3 file itself")
    if tag not in _WAV_CODECS:
        raise ClipError(f"WAV encoding 0x{tag:04x} is not supported: use PCM, float, mu-law "
                        f"or A-law")
    if bits not in _WAV_BITS[tag]:
        allowed = ", ".join(map(str, _WAV_BITS[tag]))
        raise ClipError(f"{bits}-bit {_WAV_CODECS[tag]} WAV is not supported: use {allowed}-bit")
    if channels == 0 or block_align != channels * bits // 8:
        raise ClipError("the WAV format chunk is damaged (inconsistent frame size)")
    if data_size % block_align:
        raise ClipError("the file is truncated or damaged: the audio ends inside a frame")
    codec = f"{_WAV_CODECS[tag]} {bits}-bit" if tag in (1, 3) else _WAV_CODECS[tag]
    return ClipInfo("wav", codec, rate, channels, data_size // block_align)


# -- MP3 -----------------------------------------------------------------------

_MP3_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}
_MPEG_VERSIONS = {0b11: 1, 0b10: 2, 0b00: 25}


@dataclass(frozen=True)
class _MpegFrame:
    version: int  # 1, 2 or 25 (MPEG-2.5)
    layer: int
    kbps: int
    rate: int
    channels: int
    length: int

    @property
    def samples(self) -> int:
        return 1152 if self.version == 1 else 576

    @property
    def side_info(self) -> int:
        if self.version == 1:
            return 32 if self.channels == 2 else 17
        return 17 if self.channels == 2 else 9


def mpeg_header(data: bytes, position: int) -> _MpegFrame | None:
    """The MPEG audio frame header at `position`, or None if there is none."""
    if position + 4 > len(data):
        return None
    word = struct.unpack_from(">I", data, position)[0]
    if word >> 21 != 0x7FF:
        return None
    version = _MPEG_VERSIONS.get((word >> 19) & 3)
    layer = 4 - ((word >> 17) & 3)
    bitrate_index, rate_index = (word >> 12) & 0xF, (word >> 10) & 3
    if version is None or layer == 4 or bitrate_index == 0xF or rate_index == 3:
        return None
    padding, channels = (word >> 9) & 1, 1 if (word >> 6) & 3 == 3 else 2
    kbps = _MP3_KBPS[1 if version == 1 else 2][bitrate_index] if layer == 3 else 0
    rate = _MP3_RATES[version][rate_index]
    factor = 144 if version == 1 else 72
    length = factor * kbps * 1000 // rate + padding if kbps else 0
    return _MpegFrame(version, layer, kbps, rate, channels, length)


def _skip_id3v2(data: bytes) -> int:
    if not data.startswith(b"ID3"):
        return 0
    if len(data) < 10:
        raise ClipError("the MP3 file is truncated inside its ID3 tag")
    size_bytes = data[6:10]
    if any(b & 0x80 for b in size_bytes):
        raise ClipError("the MP3 file's ID3 tag is damaged")
    size = (size_bytes[0] << 21) | (size_bytes[1] << 14) | (size_bytes[2] << 7) | size_bytes[3]
    footer = 10 if data[5] & 0x10 else 0
    end = 10 + size + footer
    if end > len(data):
        raise ClipError("the MP3 file is truncated inside its ID3 tag")
    return end


def _mp3_tail(data: bytes) -> int:
    """Where the audio frames end: before ID3v1 and APEv2 tags."""
    end = len(data)
    if end >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    if end >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
        size = struct.unpack_from("<I", data, end - 20)[0]
        flags = struct.unpack_from("<I", data, end - 12)[0]
        end -= size + (32 if flags & 0x80000000 else 0)
    return max(end, 0)


def _xing_frames(data: bytes, position: int, frame: _MpegFrame) -> int | None:
    """Frame count from a Xing/Info header in the first frame, if it has one."""
    tag = position + 4 + frame.side_info
    if data[tag : tag + 4] in (b"Xing", b"Info") and len(data) >= tag + 12:
        flags = struct.unpack_from(">I", data, tag + 4)[0]
        if flags & 1:
            return struct.unpack_from(">I", data, tag + 8)[0]
    return None


def _inspect_mp3(data: bytes) -> ClipInfo:
    position, end = _skip_id3v2(data), _mp3_tail(data)
    first = mpeg_header(data, position)
    if first is None:
        raise ClipError("the MP3 file is damaged: no MPEG audio frame where the audio should start")
    if first.layer != 3:
        raise ClipError(f"MPEG layer {'I' * first.layer} is not supported: use MP3 (layer III)")
    if not first.kbps:
        raise ClipError("free-format MP3 is not supported")
    declared = _xing_frames(data, position, first)
    if declared is not None:
        position += first.length  # the Xing/Info frame carries no audio
    frames, audio_bytes = 0, 0
    while position < end:
        frame = mpeg_header(data, position)
        if frame is None or (frame.version, frame.layer, frame.rate) != (
            first.version, first.layer, first.rate
        ):
            raise ClipError(f"the MP3 file is damaged: no valid frame at byte {position}")
        if position + frame.length > end:
            raise ClipError("the file is truncated: the last MP3 frame is incomplete")
        frames += 1
        audio_bytes += frame.length
        position += frame.length
    if declared is not None and declared not in (frames, frames + 1):
        raise ClipError(f"the file is truncated or damaged: its header declares {declared} "
                        f"MP3 frames, {frames} are present")
    samples = frames * first.samples
    kbps = round(audio_bytes * 8 * first.rate / samples / 1000) if samples else 0
    if samples and not MP3_MIN_KBPS <= kbps <= MP3_MAX_KBPS:
        raise ClipError(f"MP3 bitrate {kbps} kbps is not supported: use {MP3_MIN_KBPS} to "
                        f"{MP3_MAX_KBPS} kbps")
    version = {1: "MPEG-1", 2: "MPEG-2", 25: "MPEG-2.5"}[first.version]
    return ClipInfo("mp3", f"{version} Layer III", first.rate, first.channels, samples, kbps)


# -- Ogg (Opus, Vorbis) --------------------------------------------------------

_BIT_REVERSED = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def _ogg_crc(page: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, no final xor) via zlib.

    zlib computes the reflected variant; reflecting every input byte and the
    result turns one into the other.
    """
    reflected = zlib.crc32(page.translate(_BIT_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{reflected:032b}"[::-1], 2)


def _ogg_codec(data: bytes) -> str:
    if data[28:36] == b"OpusHead":
        return "opus"
    if data[28:35] == b"\x01vorbis":
        return "vorbis"
    if len(data) < 36:
        raise ClipError("the Ogg file is truncated inside its first page")
    raise ClipError("the Ogg file holds neither Opus nor Vorbis audio")


@dataclass(frozen=True)
class _OggPage:
    flags: int
    granule: int
    serial: int
    sequence: int


def _ogg_pages(data: bytes) -> list[_OggPage]:
    pages: list[_OggPage] = []
    position = 0
    while position < len(data):
        if data[position : position + 4] != b"OggS" or position + 27 > len(data):
            what = "truncated" if position + 27 > len(data) else "damaged"
            raise ClipError(f"the Ogg file is {what}: no page at byte {position}")
        flags, granule, serial, sequence = struct.unpack_from("<BqII", data, position + 5)
        segments = data[position + 26]
        table_end = position + 27 + segments
        if table_end > len(data):
            raise ClipError("the file is truncated inside an Ogg page")
        size = 27 + segments + sum(data[position + 27 : table_end])
        if position + size > len(data):
            raise ClipError("the file is truncated inside an Ogg page")
        page = bytearray(data[position : position + size])
        expected = struct.unpack_from("<I", page, 22)[0]
        page[22:26] = b"\0\0\0\0"
        if _ogg_crc(bytes(page)) != expected:
            raise ClipError(f"the Ogg file is damaged: page {sequence} fails its checksum")
        pages.append(_OggPage(flags, granule, serial, sequence))
        position += size
    if not pages:
        raise ClipError("the Ogg file has no pages")
    if len({p.serial for p in pages}) != 1:
        raise ClipError("Ogg files with several streams are not supported")
    for before, after in itertools.pairwise(pages):
        if after.sequence != before.sequence + 1:
            raise ClipError(f"the Ogg file is damaged: page {before.sequence + 1} is missing")
    if not pages[-1].flags & 0x04:
        raise ClipError("the file is truncated: the Ogg stream has no end")
    return pages


def _inspect_opus(data: bytes) -> ClipInfo:
    pages = _ogg_pages(data)
    head = data[28:47]
    if len(head) < 19:
        raise ClipError("the Opus header is truncated")
    channels, pre_skip = head[9], struct.unpack_from("<H", head, 10)[0]
    # Opus always decodes at 48 kHz; the input rate in the header is a hint.
    return ClipInfo("opus", "Opus", 48000, channels, max(pages[-1].granule - pre_skip, 0))


def _inspect_vorbis(data: bytes) -> ClipInfo:
    pages = _ogg_pages(data)
    head = data[28:58]
    if len(head) < 30:
        raise ClipError("the Vorbis header is truncated")
    channels, rate = head[11], struct.unpack_from("<I", head, 12)[0]
    return ClipInfo("vorbis", "Vorbis", rate, channels, max(pages[-1].granule, 0))


_INSPECTORS = {
    "au": _inspect_au,
    "wav": _inspect_wav,
    "mp3": _inspect_mp3,
    "opus": _inspect_opus,
    "vorbis": _inspect_vorbis,
}
