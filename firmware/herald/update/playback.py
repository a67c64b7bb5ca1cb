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
    try:
        playing = audio.AudioStatus.from_dict(status).playing
    except (ValueError, TypeError, KeyError) as exc:  # an audio service of another schema
        log.warning("the audio service's status is not readable (%s); restarting anyway", exc)
        return []
    return [str(voice) for voice in playing]
