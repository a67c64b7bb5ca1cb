"""The Device settings form: the manual's Input and Output controls."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from herald.audio.contract import (
    INPUT_GAINS,
    INPUT_TYPES,
    OUTPUT_GAINS,
    POWER_TYPES,
    params_from_settings,
)
from herald.params import ParamError
from herald_web.accounts.access import level_of
from herald_web.accounts.parameters import apply_params

INPUT_TYPE_NAMES = {"mic": "Microphone", "line": "Line in"}
POWER_TYPE_NAMES = {"off": "No power", "bias": "Plug-in power (bias)"}


class DeviceSettingsForm(forms.Form):
    input_enabled = forms.BooleanField(label="Input", required=False)
    input_gain = forms.IntegerField(label="Input gain (dB)", min_value=INPUT_GAINS.start,
                                    max_value=INPUT_GAINS.stop - 1)
    input_mute = forms.BooleanField(label="Mute the microphone", required=False)
    input_type = forms.ChoiceField(label="Input type",
                                   choices=[(t, INPUT_TYPE_NAMES[t]) for t in INPUT_TYPES])
    power_type = forms.ChoiceField(label="Power type",
                                   choices=[(t, POWER_TYPE_NAMES[t]) for t in POWER_TYPES])
    output_gain = forms.IntegerField(label="Output gain (dB)", min_value=OUTPUT_GAINS.start,
                                     max_value=OUTPUT_GAINS.stop - 1)
    output_mute = forms.BooleanField(label="Mute the speaker", required=False)
    echo_cancellation = forms.BooleanField(label="Echo cancellation", required=False)


def save_settings(request: HttpRequest, form: forms.Form, saved: str, back: str) -> HttpResponse:
    """Apply an audio settings form to the parameter tree, say how it went, go `back`."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        return redirect(back)
    try:
        apply_params(params_from_settings(form.cleaned_data), level_of(request.user),
                     request.user.get_username())
    except ParamError as exc:
        messages.error(request, f"{exc.name}: {exc.reason}")
    else:
        messages.success(request, saved)
    return redirect(back)
