"""The Device settings form: the manual's Input and Output controls."""

from __future__ import annotations

from django import forms

from herald.audio.settings import INPUT_GAINS, INPUT_TYPES, OUTPUT_GAINS, POWER_TYPES

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
