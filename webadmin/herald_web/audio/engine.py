"""The web's side of the audio engine: calls to the core's audio service and
to the clip store's service, and the audio link."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from herald.audio import contract
from herald.audio.link import socket_path
from herald.bus import CallFailed, ServiceUnavailable
from herald_web.device import bus

CALL_SECONDS = 5.0
ADD_SECONDS = 120.0  # checking a long clip decodes all of it, on a slow device


class EngineError(Exception):
    """The audio engine could not do it; the message says why, for people."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Clips:
    """The clip store, as its service (in herald-system) keeps it. A clip that is
    not there raises contract.ClipNotFound; any other refusal EngineError."""

    def _call(self, method: str, timeout: float = CALL_SECONDS, **arguments: Any) -> Any:
        try:
            return call(method, timeout, contract.CLIPS_SERVICE, **arguments)
        except EngineError as exc:
            if exc.status == 404:  # the service's own words
                raise contract.ClipNotFound(arguments.get("clip", ""), str(exc)) from None
            raise

    def _clip(self, method: str, **arguments: Any) -> contract.Clip:
        return contract.Clip.from_dict(self._call(method, **arguments)["clip"])

    def list(self) -> list[contract.Clip]:
        return [contract.Clip.from_dict(c) for c in self._call(contract.LIST_CLIPS)["clips"]]

    def find(self, location: str) -> contract.Clip:
        return self._clip(contract.FIND_CLIP, location=location)

    def rename(self, clip: int, name: str) -> contract.Clip:
        return self._clip(contract.RENAME_CLIP, clip=clip, name=name)

    def remove(self, clip: int) -> contract.Clip:
        return self._clip(contract.REMOVE_CLIP, clip=clip)

    def file(self, clip: int, au: bool = False) -> tuple[contract.Clip, Path]:
        """The clip and the file to read: as uploaded, or as VAPIX hands clips out."""
        answer = self._call(contract.CLIP_FILE, clip=clip, au=au)
        return contract.Clip.from_dict(answer["clip"]), Path(answer["path"])

    def add(self, upload: IO[bytes], filename: str, name: str | None = None) -> contract.Clip:
        """Stage the uploaded file where the service reads it, and ask for it to be added."""
        staged = settings.ENVIRONMENT.data_dir / contract.CLIP_UPLOADS / secrets.token_hex(8)
        staged.parent.mkdir(exist_ok=True)
        try:
            with staged.open("wb") as out:
                while chunk := upload.read(1024 * 1024):
                    out.write(chunk)
            return contract.Clip.from_dict(self._call(
                contract.ADD_CLIP, ADD_SECONDS, staged=str(staged), filename=filename,
                name=name)["clip"])
        finally:
            staged.unlink(missing_ok=True)


def clips() -> Clips:
    return Clips()


def link() -> Any:
    return socket_path(settings.ENVIRONMENT)


def call(method: str, timeout: float = CALL_SECONDS, service: str = contract.SERVICE,
         **arguments: Any) -> Any:
    """Ask the core's audio service (or the clip store's); EngineError when it
    refuses or is not running."""
    try:
        return bus().call(service, method, timeout=timeout, **arguments)
    except ServiceUnavailable:
        raise EngineError(f"the {service} service is not running", 503) from None
    except CallFailed as exc:
        status = 404 if exc.kind == contract.ClipNotFound.__name__ else 400
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
