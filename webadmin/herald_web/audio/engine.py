"""The web's side of the audio engine: the clip store as the parameters size
it, calls to the core's audio service, and the audio link."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from herald.audio import contract
from herald.audio.clips import ClipLimits, ClipStore
from herald.audio.link import socket_path
from herald.bus import CallFailed, ServiceUnavailable
from herald_web.device import bus, params

CALL_SECONDS = 5.0
MEGABYTE = 1024 * 1024


class EngineError(Exception):
    """The audio engine could not do it; the message says why, for people."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def clips() -> ClipStore:
    get = params().snapshot().get
    limits = ClipLimits(max_bytes=int(get("MediaClip.MaxUploadSize")) * MEGABYTE,
                        max_duration=float(get("MediaClip.MaxDuration")),
                        max_clips=int(get("MediaClip.MaxGroups")))
    return ClipStore(settings.ENVIRONMENT.data_dir / "clips", params(), limits)


def link() -> Any:
    return socket_path(settings.ENVIRONMENT)


def call(method: str, **arguments: Any) -> Any:
    """Ask the core's audio service; EngineError when it refuses or is not running."""
    try:
        return bus().call(contract.SERVICE, method, timeout=CALL_SECONDS, **arguments)
    except ServiceUnavailable:
        raise EngineError("the audio service is not running", 503) from None
    except CallFailed as exc:
        status = 404 if exc.kind == "ClipNotFound" else 400
        raise EngineError(str(exc), status) from None


def status() -> contract.AudioStatus | None:
    """The engine's status, or None when it is not running."""
    try:
        return contract.AudioStatus.from_dict(call(contract.STATUS))
    except EngineError:
        return None


def playing() -> list[str]:
    """What the speaker plays now, in words ("clip Doorbell"); empty when it is
    quiet or no audio service runs (then nothing can play)."""
    now = status()
    return [str(voice) for voice in now.playing] if now else []
