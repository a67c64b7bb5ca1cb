"""System > Detectors > Audio detection: the sound level each input is compared with."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald.audio.contract import settings_from_params
from herald_web.accounts.access import page
from herald_web.audio.forms import save_settings
from herald_web.device import params

CONTEXT = {"section": "system", "page_key": "system.detectors"}


class AudioDetectionForm(forms.Form):
    sound_level_threshold = forms.IntegerField(
        label="Sound level", min_value=0, max_value=100,
        help_text="0 is the most sensitive, 100 the least. Events can fire when the level "
                  "rises above, falls below or passes this value.",
        widget=forms.NumberInput(attrs={"type": "range", "min": 0, "max": 100, "step": 1}))


@page(Level.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    settings = settings_from_params(params().snapshot().get)
    form = AudioDetectionForm(initial={"sound_level_threshold": settings.sound_level_threshold})
    return render(request, "detectors/index.html", {**CONTEXT, "form": form,
                                                    "settings": settings})


@page(Level.ADMIN)
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    return save_settings(request, AudioDetectionForm(request.POST), "The sound level is saved.",
                         "detectors:index")
