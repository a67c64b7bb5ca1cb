"""G.711 mu-law, the codec of VAPIX live audio (audio/basic, axis-mulaw-128).

Written with numpy lookup tables instead of `audioop`, which Python 3.13 no
longer ships.
"""

from __future__ import annotations

import numpy as np

_BIAS = 0x84
_CLIP14 = 8159
_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


def _decode_table() -> np.ndarray:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)


def _encode_table() -> np.ndarray:
    # The ITU/Sun reference: work on 14 bits (arithmetic shift first), so
    # that negative values round the same way as every other implementation.
    linear = np.arange(65536, dtype=np.int32)
    linear = np.where(linear >= 32768, linear - 65536, linear) >> 2  # index is the uint16 view
    mask = np.where(linear < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(linear), _CLIP14) + (_BIAS >> 2)
    segment = np.searchsorted(_SEGMENT_ENDS, magnitude)
    code = np.where(
        segment >= 8,
        0x7F,
        (np.minimum(segment, 7) << 4) | ((magnitude >> (np.minimum(segment, 7) + 1)) & 0x0F),
    )
    return (code ^ mask).astype(np.uint8)


_DECODE = _decode_table()
_ENCODE = _encode_table()


def ulaw_decode(data: bytes | np.ndarray) -> np.ndarray:
    """mu-law bytes to 16-bit linear samples."""
    codes = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    return _DECODE[codes]


def ulaw_encode(samples: np.ndarray) -> bytes:
    """16-bit linear samples to mu-law bytes."""
    return _ENCODE[samples.astype(np.int16).view(np.uint16)].tobytes()
