"""The Rules page's form: the manual's "Add a rule" (name, a condition used as
the trigger, one further condition that may be inverted, wait between
actions, an action), turned into the events service's rule. The service
checks the rule; the form only offers what the device has."""

from __future__ import annotations

from typing import Any

from django import forms

from herald.events import contract

TRIGGERS = {
    contract.VIRTUAL_INPUT.topic: "Virtual input",
    contract.MANUAL_TRIGGER.topic: "Manual trigger",
    contract.SOUND_LEVEL.topic: "Sound level above the set value",
    contract.CLIP_PLAYING.topic: "Audio clip playing",
    contract.LIVE_AUDIO.topic: "Live audio playing",
}
NO_CONDITION = ""
ACTIONS = {contract.PLAY_CLIP: "Play audio clip", contract.STOP_CLIP: "Stop playing audio clip"}
MODES = {contract.ONCE: "Once", contract.WHILE_ACTIVE: "While the rule is active"}
PORTS = [(n, f"Virtual input {n}") for n in range(1, 33)]


class RuleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=contract.MAX_NAME)
    enabled = forms.BooleanField(label="Enable rule", required=False, initial=True)
    trigger = forms.ChoiceField(label="Condition (the trigger)", choices=TRIGGERS.items())
    trigger_port = forms.TypedChoiceField(label="Virtual input", choices=PORTS, coerce=int,
                                          help_text="For a virtual input trigger.")
    trigger_invert = forms.BooleanField(label="Invert this condition", required=False)
    condition = forms.ChoiceField(label="Further condition", required=False,
                                  choices=[(NO_CONDITION, "None"), *TRIGGERS.items()])
    condition_port = forms.TypedChoiceField(label="Virtual input", choices=PORTS, coerce=int,
                                            help_text="For a virtual input condition.")
    condition_invert = forms.BooleanField(label="Invert this condition", required=False)
    wait_seconds = forms.IntegerField(
        label="Wait between actions (s)", min_value=0, max_value=contract.MAX_WAIT_SECONDS,
        initial=0, help_text="The least time between two runs of the action.")
    action = forms.ChoiceField(label="Action", choices=ACTIONS.items())
    clip = forms.TypedChoiceField(label="Clip", coerce=int, required=False)
    volume = forms.IntegerField(label="Volume (%)", min_value=0, max_value=contract.MAX_VOLUME,
                                initial=100)
    repeat = forms.IntegerField(label="Repeat", min_value=0, max_value=contract.MAX_REPEAT,
                                initial=0, help_text="Times played again after the first.")
    mode = forms.ChoiceField(label="Duration", choices=MODES.items(), initial=contract.ONCE)

    def __init__(self, *args: Any, clips: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clip"].choices = clips

    def rule(self) -> dict[str, Any]:
        """The rule as the events service takes it (call after is_valid())."""
        data = self.cleaned_data
        rule: dict[str, Any] = {
            "name": data["name"], "enabled": data["enabled"],
            "trigger": _condition(data["trigger"], data["trigger_port"], data["trigger_invert"]),
            "conditions": [] if data["condition"] == NO_CONDITION else [
                _condition(data["condition"], data["condition_port"], data["condition_invert"])],
            "wait_seconds": data["wait_seconds"],
            "action": {"kind": data["action"], "mode": data["mode"]},
        }
        if data["action"] == contract.PLAY_CLIP:
            rule["action"].update(clip=data["clip"], volume=data["volume"],
                                  repeat=data["repeat"])
        return rule


def _condition(topic: str, port: int, invert: bool) -> dict[str, Any]:
    source = port if topic == contract.VIRTUAL_INPUT.topic else None
    return {"topic": topic, "source": source, "value": True, "invert": invert}


def describe(condition: dict[str, Any]) -> str:
    """A condition in the words of the page ("Virtual input 3", "not Manual trigger")."""
    name = TRIGGERS.get(condition["topic"], condition["topic"])
    if condition["topic"] == contract.VIRTUAL_INPUT.topic and condition.get("source"):
        name = f"Virtual input {condition['source']}"
    return f"not {name}" if condition.get("invert") else name
