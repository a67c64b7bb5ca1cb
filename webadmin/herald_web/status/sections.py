"""The Status page's sections, rendered from what the bus and the parameter
tree say now. A section of a feature the device does not run yet (no state
on the bus) is left out, not shown empty. What param.cgi shows to
administrators only (the host name, the connected clients' addresses and
processes) the page shows to them only too."""

from __future__ import annotations

import math
from typing import Any, TypeVar

from django.template.loader import render_to_string

from herald.access import Level
from herald.audio import contract as audio
from herald.payload import Payload
from herald.recordings import contract as recordings
from herald.sip import contract as sip
from herald.system import contract as system
from herald.system.identity import this_device, this_firmware
from herald.update import contract as update
from herald_web.accounts.models import Account
from herald_web.audio.speakertest import when
from herald_web.contract import WEB
from herald_web.device import bus, params

P = TypeVar("P", bound=Payload)


def facts(level: Level) -> dict[str, Any]:
    """Everything the sections show to an account of `level`, read once."""
    admin = level >= Level.ADMIN
    values = params().snapshot()
    state = bus().state()
    web = state.get(WEB) or {}
    clients = read(system.Clients, state.get(system.CLIENTS))
    ongoing = read(recordings.Ongoing, state.get(recordings.ONGOING))
    return {
        "device": {
            "product": values.get("Brand.ProdFullName"),
            "firmware": this_firmware().version,
            "serial": this_device().serial,
            "hostname": values.get("Network.HostName") if admin else None,
        },
        "time": read(system.TimeSync, state.get(system.TIME)),
        "security": security(web, values.get("System.AnonymousViewing") == "yes"),
        "clients": clients and clients.clients if admin else None,
        "recordings": ongoing and ongoing.recordings,
        "firmware": firmware(state),
        "speakertest": speaker_test(read(audio.SpeakerTestState, state.get(audio.SPEAKER_TEST))),
        "microphone": read(audio.MicSwitchState, state.get(audio.MIC_SWITCH)),
        # SIP's settings are administrators' (so are the callers' addresses).
        "sip": sip_facts(state) if admin else None,
    }


def read(payload: type[P], raw: dict[str, Any] | None) -> P | None:
    """A service's state as its contract shapes it; None while it publishes none."""
    return None if raw is None else payload.from_dict(raw)


def firmware(state: dict[str, Any]) -> dict[str, Any] | None:
    """Both slots, what runs and what boots next, and an upgrade on trial
    (published by herald-update and the worker; absent without RAUC)."""
    status = state.get(update.STATUS)
    if status is None:
        return None
    trial = state.get(update.TRIAL)
    return {**status, "trial": trial and {
        **trial, "minutes_left": math.ceil(update.Trial.from_dict(trial).seconds_left() / 60)}}


def speaker_test(test: audio.SpeakerTestState | None) -> dict[str, Any] | None:
    """Calibrated or not, the last result and when (published by the audio service)."""
    if test is None:
        return None
    return {"calibrated_at": when(test.calibrated_at), "last": test.last,
            "last_at": test.last and when(test.last.at), "running": test.running}


def sip_facts(state: dict[str, Any]) -> dict[str, Any] | None:
    """herald-sip's user agent, its accounts' registration and the call now
    (absent until herald-sip first ran)."""
    status = read(sip.SipStatus, state.get(sip.STATUS))
    if status is None:
        return None
    call = read(sip.SipCall, state.get(sip.CALL)) or sip.SipCall(sip.IDLE)
    return {"status": status, "call": call, "busy": call.state not in (sip.IDLE, sip.TERMINATED)}


def security(web: dict[str, Any], anonymous_viewing: bool) -> dict[str, Any]:
    """What access is open, and what the hardening advice says about it."""
    advice = []
    if "http" in web:
        advice.append("use HTTPS, since HTTP sends data unencrypted")
    if anonymous_viewing:
        advice.append("turn off anonymous viewing unless the network is trusted")
    return {
        "http": "http" in web,
        "https": "https" in web,
        "anonymous_viewing": anonymous_viewing,
        "admins": Account.objects.filter(role="admin").count(),
        "accounts": Account.objects.count(),
        "advice": advice,
    }


SECTIONS = ("device", "firmware", "time", "security", "clients", "recordings", "speakertest",
            "microphone", "sip")


def render(facts: dict[str, Any]) -> dict[str, str]:
    """HTML of each section that has something to show."""
    return {
        name: render_to_string(f"status/sections/{name}.html", {"facts": facts, name: facts[name]})
        for name in SECTIONS
        if facts[name] is not None
    }
