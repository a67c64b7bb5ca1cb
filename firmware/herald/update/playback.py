"""Is the speaker quiet? A firmware restart waits for that unless forced.

A speaker's announcement should not be cut off by a restart nobody is in a
hurry for: after an upgrade is installed, the restart into the new firmware
waits until the audio engine plays nothing (clips, tones, live audio).
"""

from __future__ import annotations

import logging

from herald.audio import contract as audio
from herald.bus import Bus, CallFailed, ServiceUnavailable

log = logging.getLogger(__name__)


def playing(bus: Bus) -> list[str]:
    """What the audio engine plays now, in words; empty when quiet."""
    try:
        status = bus.call(audio.SERVICE, audio.STATUS, timeout=3)
    except ServiceUnavailable:
        return []  # no audio engine running: nothing can play
    except CallFailed as exc:
        log.warning("the audio service could not say what plays (%s); restarting anyway", exc)
        return []
    voices = status.get("playing") if isinstance(status, dict) else None
    return [_describe(voice) for voice in voices or []]


def _describe(voice: object) -> str:
    if isinstance(voice, dict):
        kind = voice.get("kind") or voice.get("source") or "audio"
        name = voice.get("name") or voice.get("clip")
        return f"{kind} {name}" if name not in (None, "") else str(kind)
    return str(voice)
