"""The Maintenance page: Restart, Restore, Factory default, Firmware upgrade
and Firmware rollback.

The firmware endpoints are the page's JSON API: the browser uploads the
bundle in pieces, then asks for the upgrade; what happens next (checking,
installing, waiting for playback to end, restarting, or why the bundle was
refused) arrives over the websocket (maintenance.consumers).
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.bus import CallFailed, ServiceUnavailable
from herald.update import contract
from herald.update.contract import (
    FACTORY_DEFAULT,
    KINDS,
    MAX_CONFIRM_MINUTES,
    MAX_URL_LENGTH,
    UpdateRefused,
    bundle_url_problem,
)
from herald_web.accounts.access import api, page
from herald_web.celery import WorkerUnavailable, ask_worker
from herald_web.device import async_bus, bus
from herald_web.maintenance import firmware, tasks, uploads

CONTEXT = {"section": "maintenance"}
DEFAULT_CONFIRM_MINUTES = 5
PROGRESS_SHOWN_SECONDS = 600


def firmware_facts() -> dict[str, Any]:
    """What the page and its websocket show about the firmware, from the bus."""
    state = bus().state()
    trial = state.get(contract.TRIAL)
    if trial:
        trial = {**trial, "seconds_left": contract.Trial.from_dict(trial).seconds_left()}
    progress = state.get(contract.PROGRESS)
    if progress and contract.Progress.from_dict(progress).is_old(PROGRESS_SHOWN_SECONDS):
        progress = None  # an old outcome, not news
    return {"status": state.get(contract.STATUS), "progress": progress, "autorollback": trial}


@page(Level.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    facts = firmware_facts()
    status = facts["status"] or {}
    previous = next((s for s in status.get("slots", []) if not s["running"]), None)
    return render(request, "maintenance/index.html", {
        **CONTEXT, "firmware": facts, "previous": previous,
        "kinds": KINDS, "confirm_minutes": DEFAULT_CONFIRM_MINUTES,
        "max_confirm_minutes": MAX_CONFIRM_MINUTES, "chunk_bytes": uploads.CHUNK_BYTES,
        "max_url_length": MAX_URL_LENGTH,
        "facts_json": facts})


def _restarting(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "maintenance/restarting.html", {**CONTEXT, "what": what})


@page(Level.ADMIN)
@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    tasks.schedule_restart(request.user.username)
    return _restarting(request, "The device is restarting.")


@page(Level.ADMIN)
@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    tasks.schedule_reset(False, request.user.username)
    return _restarting(request, "Most settings are going back to factory default; "
                                "the network settings stay.")


@page(Level.ADMIN)
@require_POST
def factory_default(request: HttpRequest) -> HttpResponse:
    tasks.schedule_reset(True, request.user.username)
    return _restarting(request, "All settings are going back to factory default, "
                                "the IP address too.")


# -- firmware: the page's JSON API ---------------------------------------------------


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise uploads.UploadError("the request is not valid JSON") from None
    if not isinstance(body, dict):
        raise uploads.UploadError("the request must be a JSON object")
    return body


@api(Level.ADMIN)
@require_POST
def upload_start(request: HttpRequest) -> JsonResponse:
    """Announce a bundle: {"size": bytes, "name": "file.raucb"} -> {"upload": token}."""
    try:
        body = _json_body(request)
        upload = uploads.start(body.get("size"), body.get("name"))
    except uploads.UploadError as exc:
        return _error(str(exc))
    return JsonResponse({"upload": upload.token, "chunk": uploads.CHUNK_BYTES})


@api(Level.ADMIN)
@require_POST
def upload_piece(request: HttpRequest, token: str) -> JsonResponse:
    """One piece of the bundle as the raw body, at byte ?offset=N."""
    try:
        upload = uploads.find(token)
        offset = int(request.GET.get("offset", ""))
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error("offset and Content-Length must be whole numbers")
    except uploads.UploadError as exc:
        return _error(str(exc), 404)
    if not 0 < length <= uploads.CHUNK_BYTES:
        return _error(f"a piece must hold 1 to {uploads.CHUNK_BYTES} bytes")
    try:
        received = upload.append(offset, request, length)
    except uploads.UploadError as exc:
        return _error(str(exc), 409)
    return JsonResponse({"received": received, "size": upload.size})


@api(Level.ADMIN)
@require_POST
def upgrade(request: HttpRequest) -> JsonResponse:
    """Install an uploaded bundle, or the one at a URL:
    {"upload" or "url", "type", "minutes", "force"}."""
    try:
        body = _json_body(request)
        url = body.get("url")
        upload = None if url is not None else uploads.find(str(body.get("upload", "")))
    except uploads.UploadError as exc:
        return _error(str(exc))
    if url is not None and (problem := bundle_url_problem(url)):
        return _error(problem)
    minutes = body.get("minutes", DEFAULT_CONFIRM_MINUTES)
    try:
        kind, minutes = firmware.check(body.get("type"), minutes)
    except UpdateRefused as exc:
        return _error(str(exc))
    if upload is not None and not upload.complete:
        return _error(f"the upload is incomplete ({upload.received} of {upload.size} bytes)")
    firmware.report(contract.CHECKING, 0, "Waiting for the worker")
    tasks.firmware_upgrade.delay("" if upload is None else upload.token, kind, minutes,
                                 "hard" if kind == FACTORY_DEFAULT else "",
                                 body.get("force") is True, request.user.username, url or "")
    return JsonResponse({"started": True})


@api(Level.ADMIN)
@require_POST
async def confirm(request: HttpRequest) -> JsonResponse:
    """Keep the firmware an Autorollback upgrade installed."""
    updates = async_bus()
    try:
        answer = await updates.call(contract.TRIAL_SERVICE, contract.CONFIRM, timeout=5)
    except ServiceUnavailable:
        return _error("no upgrade is waiting for a confirmation", 409)
    except CallFailed as exc:
        return _error(str(exc), 409)
    finally:
        await updates.close()
    return JsonResponse(answer)


@api(Level.ADMIN)
@require_POST
async def rollback(request: HttpRequest) -> JsonResponse:
    """Go back to the previously installed firmware: {"force": bool}."""
    try:
        body = _json_body(request)
    except uploads.UploadError as exc:
        return _error(str(exc))
    user = await sync_to_async(lambda: request.user.username)()
    try:
        outcome = await ask_worker(tasks.firmware_rollback, body.get("force") is True, user,
                                   timeout=firmware.CALL_SECONDS)
    except WorkerUnavailable as exc:
        return _error(str(exc), 503)
    if not outcome["ok"]:
        return _error(outcome["message"], 409)
    return JsonResponse(outcome)
