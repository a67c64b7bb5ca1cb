"""The clip store on the bus (contract.CLIPS_SERVICE), for the web admin's
Audio page and mediaclip.cgi. herald-system serves it: checking an upload
decodes the whole file, and that CPU must not be taken from the audio that
herald-core plays. Each call runs in a thread of its own; the store's file
lock keeps them apart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from herald.audio import contract
from herald.audio.clips import ClipLimits, ClipStore
from herald.params import ParamStore


def staging_dir(data_dir: Path) -> Path:
    """Where clients put an upload before they ask for it to be added."""
    return data_dir / contract.CLIP_UPLOADS


class ClipService:
    def __init__(self, data_dir: Path, params: ParamStore) -> None:
        self.data_dir, self.params = data_dir, params
        self.store: ClipStore | None = None

    @property
    def handlers(self) -> dict[str, Any]:
        return {contract.LIST_CLIPS: self.list, contract.ADD_CLIP: self.add,
                contract.RENAME_CLIP: self.rename, contract.REMOVE_CLIP: self.remove,
                contract.FIND_CLIP: self.find, contract.CLIP_FILE: self.file}

    async def start(self) -> None:
        self.store = await asyncio.to_thread(ClipStore, self.data_dir / "clips", self.params)
        staging_dir(self.data_dir).mkdir(exist_ok=True)

    async def stop(self) -> None:
        """Nothing runs between calls."""

    def _store(self) -> ClipStore:
        assert self.store is not None, "the clip service is not started"
        return self.store

    async def list(self) -> dict[str, Any]:
        clips = await asyncio.to_thread(self._store().list)
        return {"clips": [clip.to_dict() for clip in clips]}

    async def add(self, staged: str, filename: str, name: str | None = None) -> dict[str, Any]:
        path = Path(staged).resolve()
        if path.parent != staging_dir(self.data_dir).resolve() or not path.is_file():
            raise ValueError(f"{staged!r} is not an upload staged in {contract.CLIP_UPLOADS}")
        store = self._store()
        store.limits = ClipLimits.from_params(self.params.snapshot().get)
        clip = await asyncio.to_thread(lambda: store.add(path.read_bytes(), filename, name))
        return {"clip": clip.to_dict()}

    async def rename(self, clip: int, name: str) -> dict[str, Any]:
        return {"clip": (await asyncio.to_thread(self._store().rename, clip, name)).to_dict()}

    async def remove(self, clip: int) -> dict[str, Any]:
        return {"clip": (await asyncio.to_thread(self._store().remove, clip)).to_dict()}

    async def find(self, location: str) -> dict[str, Any]:
        return {"clip": (await asyncio.to_thread(self._store().find, location)).to_dict()}

    async def file(self, clip: int, au: bool = False) -> dict[str, Any]:
        store = self._store()

        def where() -> dict[str, Any]:
            found = store.get(clip)
            path = store.au_path(found) if au else store.path(found)
            return {"clip": found.to_dict(), "path": str(path)}
        return await asyncio.to_thread(where)
