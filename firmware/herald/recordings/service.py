"""The recordings service (in herald-core): continuous recordings of the
microphone, one at a time, each into a WAV file (herald.audio.recorder) that
grows until someone stops it. A recording that runs when the service stops
(a restart, a power cut) stays ongoing and goes on into the same file when
the service starts again, as the manual says a continuous recording does.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from herald.audio.contract import settings_from_params
from herald.audio.link import LinkError
from herald.audio.recorder import held_seconds, record
from herald.bus import AsyncBus
from herald.params import ParamStore
from herald.recordings import contract
from herald.recordings.store import Busy, RecordingStore

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0  # between tries while the microphone cannot be heard


class RecordingsService:
    def __init__(self, bus: AsyncBus, store: RecordingStore, params: ParamStore,
                 link: Path) -> None:
        self.bus, self.store, self.params, self.link = bus, store, params, link
        self.runs: dict[int, tuple[threading.Event, asyncio.Task]] = {}
        self.shutting_down = threading.Event()

    @property
    def handlers(self) -> dict[str, Any]:
        return {contract.START: self.start_recording, contract.STOP: self.stop_recording,
                contract.LIST: self.list, contract.DELETE: self.delete}

    async def start(self) -> None:
        """Go on with the recordings that ran when the service last stopped."""
        await asyncio.to_thread(self.store.open)
        for row in await asyncio.to_thread(self.store.running):
            if row["status"] == contract.RECORDING and row["continuous"]:
                log.info("resuming recording %d", row["id"])
                self._run(row["id"], row["storage"])
            else:  # asked to stop before the restart: it is stopped now
                await asyncio.to_thread(self.store.stopped, row["id"], row["seconds"])
        await self.publish_ongoing()

    async def stop(self) -> None:
        """End the recordings' loops; the recordings stay ongoing for the next start."""
        self.shutting_down.set()
        for stop, _ in self.runs.values():
            stop.set()
        await asyncio.gather(*(task for _, task in self.runs.values()), return_exceptions=True)

    async def start_recording(self, storage: str = "", by: str = "") -> dict[str, Any]:
        if storage not in contract.STORAGES:
            return {"ok": False, "message": "Choose a storage for the recording."}
        snapshot = await asyncio.to_thread(self.params.snapshot)
        if not settings_from_params(snapshot.get).input_enabled:
            return {"ok": False, "message": "Turn the audio input on to record."}
        try:
            recording_id = await asyncio.to_thread(self.store.start, storage)
        except Busy as exc:
            return {"ok": False, "message": str(exc)}
        log.info("recording %d started by %s", recording_id, by)
        self._run(recording_id, storage)
        await self.publish_ongoing()
        return {"ok": True, "recording": recording_id}

    async def stop_recording(self, by: str = "") -> dict[str, Any]:
        ids = await asyncio.to_thread(self.store.stopping)
        if not ids:
            return {"ok": False, "message": "No recording is running."}
        log.info("recording %s stopped by %s", ", ".join(map(str, ids)), by)
        for recording_id in ids:
            if recording_id in self.runs:
                self.runs[recording_id][0].set()
            else:  # its loop is gone (it could not start): nothing to wait for
                await asyncio.to_thread(self.store.stopped, recording_id, 0.0)
        await self.publish_ongoing()
        return {"ok": True}

    async def list(self) -> dict[str, Any]:
        rows = await asyncio.to_thread(self.store.all)
        return {"ok": True, "recordings": contract.Listing(
            tuple(self._entry(row) for row in rows)).to_dict()}

    async def delete(self, recording: int = 0, by: str = "") -> dict[str, Any]:
        row = await asyncio.to_thread(self.store.get, recording)
        if row is None:
            return {"ok": False, "message": "There is no such recording."}
        if row["status"] != contract.STOPPED:
            return {"ok": False, "message": "Stop the recording before deleting it."}
        self.store.path(recording, row["storage"]).unlink(missing_ok=True)
        await asyncio.to_thread(self.store.delete, recording)
        log.info("recording %d deleted by %s", recording, by)
        return {"ok": True}

    async def publish_ongoing(self) -> None:
        """The Status page's "Ongoing recordings": those not yet closed."""
        rows = await asyncio.to_thread(self.store.running)
        ongoing = tuple(contract.Recording(_name(row), row["source"],
                                           contract.STORAGES[row["storage"]]) for row in rows)
        await self.bus.set_state(contract.ONGOING,
                                 contract.Ongoing(ongoing).to_dict() if ongoing else None)

    def _entry(self, row: sqlite3.Row) -> contract.Entry:
        path = self.store.path(row["id"], row["storage"])
        return contract.Entry(
            name=_name(row), source=row["source"],
            storage=contract.STORAGES.get(row["storage"], row["storage"]), id=row["id"],
            status=row["status"], started=row["started"], seconds=row["seconds"],
            message=row["message"], file=str(path) if path.exists() else "")

    def _run(self, recording_id: int, storage: str) -> None:
        stop = threading.Event()
        task = asyncio.create_task(self._record(recording_id, storage, stop),
                                   name=f"recording {recording_id}")
        self.runs[recording_id] = (stop, task)

    async def _record(self, recording_id: int, storage: str, stop: threading.Event) -> None:
        try:
            seconds = await asyncio.to_thread(self._record_until_stopped, recording_id,
                                              self.store.path(recording_id, storage), stop)
            if not self.shutting_down.is_set():
                await asyncio.to_thread(self.store.stopped, recording_id, seconds)
                await self.publish_ongoing()
        except Exception:
            log.exception("recording %d failed", recording_id)
        finally:
            self.runs.pop(recording_id, None)

    def _record_until_stopped(self, recording_id: int, path: Path,
                              stop: threading.Event) -> float:
        """Record into `path` until `stop`; waits while the microphone cannot be
        heard (input off, the audio service restarting) and says why meanwhile."""
        while not stop.is_set():
            try:
                seconds = record(self.link, path, stop.is_set)
            except LinkError as exc:
                self.store.note(recording_id, str(exc))
                stop.wait(RETRY_SECONDS)
            else:
                self.store.note(recording_id, "", seconds)
        return held_seconds(path)


def _name(row: sqlite3.Row) -> str:
    started = datetime.fromtimestamp(row["started"], UTC)
    return f"Recording {row['id']} ({started:%Y-%m-%d %H:%M:%S})"
