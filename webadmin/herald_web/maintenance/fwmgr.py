"""VAPIX firmware management: /axis-cgi/firmwaremanagement.cgi (API id "fwmgr").

JSON-RPC in VAPIX's envelope, errors as HTTP-like codes inside it: the
methods, here, see the JSON alone; the CGI (fwmgr_cgi.py) reads the request
and stores the firmware file of an `upgrade`. The reply to `upgrade` comes
once the bundle is checked and installed, then the device restarts into it
when the speaker is quiet. Upgrade parameters:

    factoryDefaultMode  none | soft (keeps the network settings) | hard
    autoCommit          never (the upgrade must be committed) | boot | started | default
    autoRollback        never | <minutes> | default (10 minutes)
    url                 Herald's own: instead of sending the file, the http(s)
                        address the device streams the bundle from (it
                        downloads only what neither slot holds already)

Herald commits at "boot", "started" and "default" alike: once the firmware
services answer (the boot health gate). With autoCommit "never" the upgrade
is an Autorollback: `commit` within the time keeps it, else the device goes
back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from django.http import HttpRequest

from herald.access import Level
from herald.bus import CallFailed, ServiceUnavailable
from herald.system.identity import this_firmware
from herald.update import contract
from herald.update.contract import (
    AUTOROLLBACK,
    FACTORY_DEFAULT,
    FIRMWARE_MANAGEMENT_VERSION,
    STANDARD,
)
from herald_web.device import bus
from herald_web.maintenance import firmware, tasks
from herald_web.vapix.discovery import Api, offer
from herald_web.vapix.jsonapi import JsonApi, JsonApiError

offer(Api("fwmgr", "Firmware Management", FIRMWARE_MANAGEMENT_VERSION))

ERRORS = {
    "json": 400, "missing": 400, "invalid": 400, "not_post": 405, "method": 405,
    "version": 417, "forbidden": 403, "internal": 500,
    contract.BUSY: 423, contract.TOO_OLD: 410, contract.INVALID: 415, contract.INCOMPATIBLE: 421,
    contract.UNTRUSTED: 422, contract.NO_PREVIOUS: 404, contract.NOT_COMMITTED: 412,
    contract.FAILED: 500, contract.UNAVAILABLE: 500, contract.BAD_REQUEST: 400,
    contract.UNREACHABLE: 424,
}
api = JsonApi(versions=("1.0", "1.1", "1.2", "1.3"), errors=ERRORS)
DEFAULT_ROLLBACK_MINUTES = 10


def _refuse(outcome: Mapping[str, Any]) -> None:
    if not outcome["ok"]:
        raise JsonApiError(outcome["reason"], outcome["message"])


def _wait(result: Any, seconds: float) -> dict[str, Any]:
    try:
        return result.get(timeout=seconds)
    except CeleryTimeout:
        raise JsonApiError("internal", "the worker did not answer in time") from None


def _by(request: HttpRequest) -> str:
    return f"{request.user.username} (VAPIX)"


@api.method("status", Level.ADMIN)
def status(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    try:
        state = firmware.status()
    except contract.UpdateRefused as exc:
        raise JsonApiError(exc.reason, str(exc)) from None
    other = state.other
    data: dict[str, Any] = {"activeFirmwareVersion": state.version,
                            "activeFirmwarePart": state.booted,
                            "isCommited": state.pending is None}
    if other is not None and other.good and other.version:
        data["inactiveFirmwareVersion"] = other.version
    trial = bus().state().get(contract.TRIAL)
    if state.pending is not None:
        data["pendingCommit"] = True
        if trial:
            data["timeToRollback"] = contract.Trial.from_dict(trial).seconds_left()
    if state.last is not None and state.last.outcome == "upgraded":
        data["lastUpgradeAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.last.time))
    return data


def upgrade_kind(params: dict[str, Any]) -> tuple[str, float, str]:
    """(upgrade type, minutes to confirm, factory default mode) from upgrade's params."""
    factory = params.get("factoryDefaultMode", "none")
    commit = params.get("autoCommit", "default")
    rollback = params.get("autoRollback", "default")
    if factory not in ("none", "soft", "hard"):
        raise JsonApiError("invalid", "factoryDefaultMode must be none, soft or hard")
    if commit not in ("never", "boot", "started", "default"):
        raise JsonApiError("invalid", "autoCommit must be never, boot, started or default")
    if rollback in ("never", "default"):
        minutes = DEFAULT_ROLLBACK_MINUTES
    elif (isinstance(rollback, int | float) and not isinstance(rollback, bool)) or (
            isinstance(rollback, str) and rollback.isdigit()):
        minutes = float(rollback)
        confirm_time(minutes)
    else:
        raise JsonApiError("invalid", "autoRollback must be a number of minutes, never or default")
    if commit != "never":
        kind = FACTORY_DEFAULT if factory != "none" else STANDARD
        return kind, 0, "" if factory == "none" else factory
    if factory != "none":
        raise JsonApiError("invalid", "a factory default upgrade cannot be rolled back: "
                                      "it needs autoCommit other than never")
    if rollback == "never":
        raise JsonApiError("invalid", "with autoCommit never, autoRollback must be a time")
    return AUTOROLLBACK, minutes, ""


@api.method("upgrade", Level.ADMIN)
def upgrade(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    upload, url = getattr(request, "herald_upload", None), params.get("url")
    if upload is None and url is None:
        raise JsonApiError("missing", "upgrade needs the firmware file: send a multipart/"
                                      "form-data request with the JSON, then the file "
                                      "(or give the firmware's address as params.url)")
    if upload is not None and url is not None:
        raise JsonApiError("invalid", "send either the firmware file or params.url, not both")
    if url is not None and (problem := contract.bundle_url_problem(url)):
        raise JsonApiError("invalid", problem)
    kind, minutes, factory = upgrade_kind(params)
    firmware.report(contract.CHECKING, 0, "Waiting for the worker")
    outcome = _wait(tasks.firmware_upgrade.delay("" if upload is None else upload.token, kind,
                                                 minutes, factory, False, _by(request),
                                                 url or ""), firmware.INSTALL_SECONDS)
    _refuse(outcome)
    return {"firmwareVersion": outcome["version"]}


def confirm_time(minutes: object) -> None:
    """autoRollback's minutes, checked by the update service's policy."""
    try:
        firmware.check(AUTOROLLBACK, minutes)
    except contract.UpdateRefused as exc:
        raise JsonApiError(exc.reason, f"autoRollback: {exc}") from None


def _gate_call(method: str, **params: Any) -> Any:
    try:
        return bus().call(contract.TRIAL_SERVICE, method, timeout=10, **params)
    except ServiceUnavailable:
        return None
    except CallFailed as exc:
        raise JsonApiError("invalid", str(exc)) from None


@api.method("commit", Level.ADMIN)
def commit(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    answer = _gate_call(contract.CONFIRM)
    if answer is None:  # nothing on trial: the running firmware is committed
        return {"firmwareVersion": this_firmware().version}
    return {"firmwareVersion": answer["version"]}


@api.method("autoRollback", Level.ADMIN)
def auto_rollback(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    minutes = params.get("autoRollback")
    confirm_time(minutes)
    if _gate_call(contract.EXTEND, minutes=minutes) is None:
        raise JsonApiError("invalid", "no upgrade is waiting for its commit")
    return {}


@api.method("rollback", Level.ADMIN)
def rollback(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    _refuse(_wait(tasks.firmware_rollback.delay(False, _by(request)), firmware.CALL_SECONDS))
    return {}


@api.method("purge", Level.ADMIN)
def purge(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    _refuse(firmware.purge())
    return {}


@api.method("factoryDefault", Level.ADMIN)
def factory_default(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    mode = params.get("factoryDefaultMode")
    if mode not in ("soft", "hard"):
        raise JsonApiError("invalid", "factoryDefaultMode must be soft or hard")
    tasks.schedule_reset(mode == "hard", _by(request))
    return {}


@api.method("reboot", Level.ADMIN)
def reboot(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    tasks.schedule_restart(_by(request))
    return {}
