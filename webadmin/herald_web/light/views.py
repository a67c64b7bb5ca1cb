"""Light: the status LED's profiles and the activities running on it. The
light service (herald-core, herald.light) checks and keeps the profiles and
drives the LED; these pages ask it and show its answers. The C1410 has no
siren, so a profile here is its light only."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.light import contract
from herald.light.contract import LightStatus, Profile
from herald_web.accounts.access import page
from herald_web.device import bus, call

CONTEXT = {"section": "light", "patterns": contract.PATTERNS, "speeds": contract.SPEEDS,
           "intensities": contract.INTENSITIES, "colours": contract.COLOURS,
           "durations": contract.DURATIONS, "priorities": contract.PROFILE_PRIORITIES,
           "import_modes": {contract.ADD: "Add", contract.REPLACE_ALL: "Delete and add",
                            contract.OVERWRITE: "Overwrite"}}
MAX_IMPORT_BYTES = 256 * 1024  # 30 profiles take a few kB
INTEGERS = ("priority", "amount")


def _told(request: HttpRequest, answer: dict[str, Any], done: str) -> HttpResponse:
    if answer.get("ok"):
        messages.success(request, done)
    else:
        messages.error(request, answer["message"])
    return redirect("light:index")


def _profiles() -> list[Profile] | None:
    answer = call(contract.SERVICE, contract.PROFILES)
    return [Profile.from_dict(p) for p in answer["profiles"]] if answer["ok"] else None


def _form_profile(request: HttpRequest) -> dict[str, Any]:
    """The form's fields as the service takes a profile; it refuses what is wrong."""
    fields = {name: request.POST.get(name, "") for name in (
        "name", "description", "pattern", "speed", "intensity", "colour", "duration",
        *INTEGERS)}
    for name in INTEGERS:
        if fields[name].strip().isdigit():
            fields[name] = int(fields[name])
    if fields["duration"] == contract.CONTINUOUS and fields["amount"] == "":
        fields["amount"] = 0
    return fields


@page(Level.OPERATOR)
def index(request: HttpRequest) -> HttpResponse:
    profiles = _profiles()
    raw = bus().state().get(contract.STATUS)
    status = LightStatus.from_dict(raw) if raw else None
    editing = next((p for p in profiles or () if p.name == request.GET.get("edit")), None)
    copied = next((p for p in profiles or () if p.name == request.GET.get("copy")), None)
    return render(request, "light/index.html", {
        **CONTEXT, "profiles": profiles or (), "unavailable": profiles is None,
        "status": status, "editing": editing,
        "form": dataclasses.asdict(editing or copied or Profile("new"))
        | ({} if editing else {"name": f"Copy of {copied.name}"[:contract.MAX_NAME]
                               if copied else ""})})


@page(Level.OPERATOR)
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    profile = _form_profile(request)
    if "preview" in request.POST:
        answer = call(contract.SERVICE, contract.PREVIEW, profile=profile,
                      by=f"preview by {request.user.get_username()}")
        return _told(request, answer, f"Previewing {profile['name']}; stop it in Light status.")
    answer = call(contract.SERVICE, contract.SAVE, profile=profile,
                  old_name=request.POST.get("old_name", ""))
    return _told(request, answer, f"Profile {profile['name']} saved.")


@page(Level.OPERATOR)
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "")
    return _told(request, call(contract.SERVICE, contract.REMOVE, name=name),
                 f"Profile {name} deleted.")


@page(Level.OPERATOR)
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "")
    answer = call(contract.SERVICE, contract.START, name=name, by=request.user.get_username())
    return _told(request, answer, f"Profile {name} started.")


@page(Level.OPERATOR)
@require_POST
def stop(request: HttpRequest) -> HttpResponse:
    activity = request.POST.get("activity", "")
    answer = call(contract.SERVICE, contract.STOP,
                  activity=int(activity) if activity.isdigit() else 0)
    return _told(request, answer, "The light activity stopped.")


@page(Level.OPERATOR)
def export(request: HttpRequest) -> HttpResponse:
    answer = call(contract.SERVICE, contract.EXPORT, names=request.GET.getlist("name"))
    if not answer["ok"]:
        messages.error(request, answer["message"])
        return redirect("light:index")
    response = JsonResponse(answer["profiles"], safe=False, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = 'attachment; filename="light-profiles.json"'
    return response


@page(Level.OPERATOR)
@require_POST
def import_profiles(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None or upload.size > MAX_IMPORT_BYTES:
        messages.error(request, f"Choose a JSON file of profiles (at most "
                                f"{MAX_IMPORT_BYTES // 1024} kB).")
        return redirect("light:index")
    try:
        profiles = json.loads(upload.read())
    except (UnicodeDecodeError, ValueError) as error:
        messages.error(request, f"The file is not JSON: {error}")
        return redirect("light:index")
    answer = call(contract.SERVICE, contract.IMPORT, profiles=profiles,
                  mode=request.POST.get("mode", ""))
    return _told(request, answer, f"{len(profiles)} profiles imported.")
