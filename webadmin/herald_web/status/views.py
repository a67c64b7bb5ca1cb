from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.audio import contract as audio
from herald.light import contract as light
from herald_web.accounts.access import level_of, page
from herald_web.device import call
from herald_web.status.sections import SECTIONS, facts
from herald_web.status.sections import render as render_sections


@page(Level.VIEWER)
def index(request: HttpRequest) -> HttpResponse:
    sections = render_sections(facts(level_of(request.user)))
    return render(request, "status/index.html", {
        "section": "status", "sections": sections,
        "absent": [name for name in SECTIONS if name not in sections],
        "can_locate": level_of(request.user) >= Level.OPERATOR,
    })


LOCATE_TONE = {"frequency": 1000.0, "seconds": 3.0, "level": -12.0}  # a clear beep


@page(Level.OPERATOR)
@require_POST
def locate(request: HttpRequest) -> HttpResponse:
    """The manual's "Locate device": a tone, and the status LED flashes (Identify)."""
    flashed = call(light.SERVICE, light.LOCATE, by=request.user.get_username())
    played = call(audio.SERVICE, audio.PLAY_TONE, **LOCATE_TONE)
    if flashed["ok"] and played.get("ok", True):  # the audio service answers a Voice
        messages.success(request, "The speaker beeps and its status LED flashes.")
    else:
        messages.error(request, flashed.get("message") or played.get("message")
                       or "The speaker could not play the tone.")
    return redirect("status:index")
