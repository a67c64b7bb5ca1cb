"""The Rules page's form: the manual's "Add a rule" (name, a condition used as
the trigger, one further condition that may be inverted, wait between
actions, an action), turned into the events service's rule, and a kept rule
back into the form to edit it. The service checks the rule; the form only
offers what the device has."""

from __future__ import annotations

from typing import Any

from django import forms

from herald.events import contract

TRIGGERS = {
    contract.SCHEDULE.topic: "Schedule",
    contract.PULSE.topic: "Pulse",
    contract.VIRTUAL_INPUT.topic: "Virtual input",
    contract.MANUAL_TRIGGER.topic: "Manual trigger",
    contract.SOUND_LEVEL.topic: "Sound level",
    contract.CLIP_PLAYING.topic: "Audio clip playing",
    contract.LIVE_AUDIO.topic: "Live audio playing",
    contract.SPEAKER_TEST.topic: "Speaker test result",
    contract.FIRMWARE_UPGRADED.topic: "Firmware upgraded",
    contract.SYSTEM_READY.topic: "System ready",
    contract.NETWORK_LOST.topic: "Network lost",
    contract.ADDRESS_ADDED.topic: "IP address added",
    contract.ADDRESS_REMOVED.topic: "IP address removed",
    contract.RECORDING.topic: "Recording",
    contract.MQTT_MESSAGE.topic: "MQTT message",
    contract.MQTT_STATE.topic: "MQTT state",
    contract.CONTROL_BUTTON.topic: "Control button",
    contract.PIR.topic: "PIR sensor",
    contract.SIP_CALL.topic: "Call state",
    contract.DTMF.topic: "DTMF",
}
# Triggers whose instance (an interface, an MQTT topic) or data (an address, a
# payload) is text the form takes as typed; empty: any.
TEXT_SOURCES = {t for t in TRIGGERS if t not in (contract.SCHEDULE.topic, contract.PULSE.topic)
                and (s := contract.TYPES[t].source) is not None and not s.values}
TEXT_DATA = {t for t in TRIGGERS if not contract.TYPES[t].data.values}
# Further conditions hold a state the form offers as true or false.
STATES = {t: n for t, n in TRIGGERS.items() if contract.TYPES[t].stateful
          and contract.TYPES[t].data.type == "bool"}
NO_CONDITION = ""
SCHEDULED = (contract.SCHEDULE.topic, contract.PULSE.topic)
ACTIONS = {contract.PLAY_CLIP: "Play audio clip", contract.STOP_CLIP: "Stop playing audio clip",
           contract.NOTIFY_ACTION: "Send notification", contract.RECORD: "Record audio",
           contract.SPEAKER_TEST_ACTION: "Run automatic speaker test",
           contract.SNMP_TRAP: "Send SNMP trap", contract.MQTT_PUBLISH: "Send MQTT publish message",
           contract.LIGHT_PROFILE: "Light profile", contract.SIP_CALL_ACTION: "Make a SIP call",
           contract.SIP_ANSWER: "Answer call"}
MODES = {contract.ONCE: "Once", contract.WHILE_ACTIVE: "While the rule is active"}
PORTS = [(n, f"Virtual input {n}") for n in range(1, 33)]
# The manual's sound level trigger: "rises above, falls below or passes the set
# value" (Detectors > Audio detection): the state it reaches, or any change.
ABOVE = "above"
LEVELS = {ABOVE: (True, "Rises above the set value"), "below": (False, "Falls below the set value"),
          "passes": (None, "Passes the set value")}
LEVEL_WORDS = {value: f"Sound level {words[0].lower()}{words[1:]}"
               for value, words in LEVELS.values()}
# The manual's "Speaker test status" of a speaker test result trigger.
VERDICTS = {contract.SPEAKER_TEST_FAILED: "Didn't pass the test",
            contract.SPEAKER_TEST_PASSED: "Passed the test"}


class NotOnThePage(ValueError):
    """A rule the page cannot show in its form (made through VAPIX); the message
    says why."""


class RuleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=contract.MAX_NAME)
    enabled = forms.BooleanField(label="Enable rule", required=False, initial=True)
    trigger = forms.ChoiceField(label="Condition (the trigger)", choices=TRIGGERS.items())
    trigger_port = forms.TypedChoiceField(label="Virtual input", choices=PORTS, coerce=int,
                                          help_text="For a virtual input trigger.")
    trigger_schedule = forms.ChoiceField(label="Schedule or pulse", required=False,
                                         help_text="For a schedule or pulse trigger.")
    trigger_instance = forms.CharField(
        label="Topic or interface", required=False, max_length=contract.MAX_SOURCE,
        help_text="For an MQTT or network trigger: the MQTT topic or the network interface "
                  "(empty: any).")
    trigger_text = forms.CharField(
        label="Payload or address", required=False, max_length=contract.MAX_PARAMETER,
        help_text="For an MQTT or IP address trigger: the payload or the address (empty: any).")
    trigger_invert = forms.BooleanField(label="Invert this condition", required=False)
    sound_level = forms.ChoiceField(label="Sound level", required=False, initial=ABOVE,
                                    choices=[(k, words) for k, (_, words) in LEVELS.items()],
                                    help_text="For a sound level trigger.")
    speaker_test_status = forms.ChoiceField(label="Speaker test status", required=False,
                                            initial=contract.SPEAKER_TEST_FAILED,
                                            choices=VERDICTS.items(),
                                            help_text="For a speaker test result trigger.")
    call_state = forms.ChoiceField(label="Call state", required=False,
                                   initial=contract.SIP_CALL.data.values[1],
                                   choices=[(v, v.capitalize())
                                            for v in contract.SIP_CALL.data.values],
                                   help_text="For a call state trigger: the state it enters.")
    condition = forms.ChoiceField(label="Further condition", required=False,
                                  choices=[(NO_CONDITION, "None"), *STATES.items()])
    condition_port = forms.TypedChoiceField(label="Virtual input", choices=PORTS, coerce=int,
                                            help_text="For a virtual input condition.")
    condition_schedule = forms.ChoiceField(label="Schedule", required=False,
                                           help_text="For a schedule condition.")
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
    recipient = forms.TypedChoiceField(label="Recipient", coerce=int, required=False,
                                       help_text="For a notification.")
    subject = forms.CharField(label="Subject", max_length=contract.MAX_SUBJECT, required=False)
    message = forms.CharField(label="Message", max_length=contract.MAX_MESSAGE, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="{rule}, {event} and {time} are replaced by the "
                                        "rule's name, its trigger and when it ran.")
    topic = forms.CharField(label="Topic", max_length=255, required=False,
                            help_text="For an MQTT publish message; the message is its payload.")
    qos = forms.TypedChoiceField(label="QoS", choices=[(n, str(n)) for n in range(3)],
                                 coerce=int, initial=0, required=False)
    retain = forms.BooleanField(label="Retain", required=False)
    light_profile = forms.CharField(label="Light profile", max_length=contract.MAX_NAME,
                                    required=False,
                                    help_text="For a light profile action: its name (Light).")
    sip_address = forms.CharField(label="To SIP address", max_length=255, required=False,
                                  help_text="For a SIP call: sip:user@host.")
    sip_account = forms.CharField(label="From SIP account", max_length=contract.MAX_NAME,
                                  required=False,
                                  help_text="For a SIP call: an account's name (System > SIP); "
                                            "empty: the peer-to-peer account.")

    def __init__(self, *args: Any, clips: list[tuple[int, str]],
                 schedules: list[tuple[str, str]], recipients: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clip"].choices = clips
        self.fields["recipient"].choices = recipients
        self.fields["trigger_schedule"].choices = [("", "Any"), *schedules]
        self.fields["condition_schedule"].choices = [("", "Any"), *schedules]

    def rule(self) -> dict[str, Any]:
        """The rule as the events service takes it (call after is_valid())."""
        data = self.cleaned_data
        value: Any = LEVELS[data["sound_level"] or ABOVE][0]
        if data["trigger"] == contract.SPEAKER_TEST.topic:
            value = data["speaker_test_status"] or contract.SPEAKER_TEST_FAILED
        elif data["trigger"] == contract.SIP_CALL.topic:
            value = data["call_state"] or contract.SIP_CALL.data.values[1]
        elif data["trigger"] in TEXT_DATA:
            value = data["trigger_text"] or None
        trigger = _condition(data["trigger"], data["trigger_port"], data["trigger_schedule"],
                             data["trigger_invert"], value)
        if data["trigger"] in TEXT_SOURCES:
            trigger["source"] = data["trigger_instance"] or None
        rule: dict[str, Any] = {
            "name": data["name"], "enabled": data["enabled"], "trigger": trigger,
            "conditions": [] if data["condition"] == NO_CONDITION else [
                _condition(data["condition"], data["condition_port"],
                           data["condition_schedule"], data["condition_invert"])],
            "wait_seconds": data["wait_seconds"],
            "action": {"kind": data["action"], "mode": data["mode"]},
        }
        if data["action"] == contract.PLAY_CLIP:
            rule["action"].update(clip=data["clip"], volume=data["volume"],
                                  repeat=data["repeat"])
        elif data["action"] == contract.NOTIFY_ACTION:
            rule["action"].update(recipient=data["recipient"], subject=data["subject"],
                                  message=data["message"])
        elif data["action"] == contract.SNMP_TRAP:
            rule["action"].update(message=data["message"])
        elif data["action"] == contract.MQTT_PUBLISH:
            rule["action"].update(topic=data["topic"], message=data["message"],
                                  qos=data["qos"] or 0, retain=data["retain"])
        elif data["action"] == contract.LIGHT_PROFILE:
            rule["action"].update(profile=data["light_profile"])
        elif data["action"] == contract.SIP_CALL_ACTION:
            rule["action"].update(address=data["sip_address"], account=data["sip_account"])
        return rule


    @staticmethod
    def initial_of(rule: dict[str, Any]) -> dict[str, Any]:
        """A kept rule (LIST_RULES) as the form's initial values, to edit it;
        NotOnThePage if the form cannot hold it."""
        trigger, conditions, action = rule["trigger"], rule["conditions"], rule["action"]
        if len(conditions) > 1:
            raise NotOnThePage(f"The rule {rule['name']} has {len(conditions)} further "
                               "conditions; the page edits rules with one at most.")
        initial = {"name": rule["name"], "enabled": rule["enabled"],
                   "wait_seconds": rule["wait_seconds"], "action": action["kind"],
                   "mode": action["mode"], "volume": action["volume"],
                   "repeat": action["repeat"], "clip": action["clip"],
                   "recipient": action["recipient"], "subject": action["subject"],
                   "message": action["message"], "topic": action["topic"],
                   "qos": action["qos"], "retain": action["retain"],
                   "light_profile": action["profile"], "sip_address": action["address"],
                   "sip_account": action["account"], "condition": NO_CONDITION}
        for prefix, condition in (("trigger", trigger), *(("condition", c) for c in conditions)):
            value, invert = condition["value"], condition["invert"]
            if condition["topic"] == contract.SOUND_LEVEL.topic and prefix == "trigger":
                initial["sound_level"] = next(k for k, (v, _) in LEVELS.items() if v == value)
            elif condition["topic"] == contract.SPEAKER_TEST.topic:
                initial["speaker_test_status"] = value
            elif condition["topic"] == contract.SIP_CALL.topic and value is not None:
                initial["call_state"] = value
            elif condition["topic"] in TEXT_DATA:
                initial[f"{prefix}_text"] = value or ""
            elif value is None:
                raise NotOnThePage(f"The rule {rule['name']} runs on any change of "
                                   f"{describe(condition, {})}; the page cannot show that.")
            else:
                invert = invert != (value is False)  # a state of false: the true one inverted
            initial.update({prefix: condition["topic"], f"{prefix}_invert": invert,
                            f"{prefix}_port": condition["source"]
                            if condition["topic"] == contract.VIRTUAL_INPUT.topic else 1,
                            f"{prefix}_schedule": condition["source"]
                            if condition["topic"] in SCHEDULED else "",
                            f"{prefix}_instance": condition["source"] or ""
                            if condition["topic"] in TEXT_SOURCES else ""})
        return initial


def _condition(topic: str, port: int, schedule: str, invert: bool,
               value: Any = True) -> dict[str, Any]:
    source: Any = None
    if topic == contract.VIRTUAL_INPUT.topic:
        source = port
    elif topic in SCHEDULED and schedule:
        source = schedule
    return {"topic": topic, "source": source, "value": value, "invert": invert}


def describe(condition: dict[str, Any], schedules: dict[str, str]) -> str:
    """A condition in the words of the page ("Virtual input 3", "not Schedule
    Office Hours", "Sound level passes the set value")."""
    topic, source, value = condition["topic"], condition.get("source"), condition.get("value")
    name = TRIGGERS.get(topic, topic)
    inverted = bool(condition.get("invert"))
    if topic == contract.SOUND_LEVEL.topic:
        name = LEVEL_WORDS[value]
    elif topic == contract.SPEAKER_TEST.topic:
        name = f"{name}: {VERDICTS.get(value, value)}"
    elif topic == contract.SIP_CALL.topic and value is not None:
        name = f"{name}: {value.capitalize()}"
    elif value is False:
        inverted = not inverted
    if topic == contract.VIRTUAL_INPUT.topic and source:
        name = f"Virtual input {source}"
    elif topic in SCHEDULED and source:
        name = f"{name} {schedules.get(source, '(a removed schedule)')}"
    elif topic in TEXT_SOURCES and source:
        name = f"{name} on {source}"
    kind = contract.TYPES.get(topic)
    if topic in TEXT_DATA and value is not None:
        name += f": {value}"
    elif value is None and topic != contract.SOUND_LEVEL.topic and kind and kind.stateful:
        name += " changes"
    return f"not {name}" if inverted else name


DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
        "SA": "Saturday", "SU": "Sunday"}
UNITS = {"SECONDLY": "seconds", "MINUTELY": "minutes", "HOURLY": "hours"}
SCHEDULE, PULSE = "schedule", "pulse"


class ScheduleForm(forms.Form):
    """The manual's "Add schedule": a schedule (days, from, to) or a pulse (every so often)."""

    name = forms.CharField(label="Name", max_length=contract.MAX_NAME)
    kind = forms.ChoiceField(label="Type", choices=[(SCHEDULE, "Schedule"), (PULSE, "Pulse")])
    days = forms.MultipleChoiceField(label="Days", choices=DAYS.items(), required=False,
                                     widget=forms.CheckboxSelectMultiple)
    start = forms.TimeField(label="Start", required=False,
                            widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label="End", required=False,
                          widget=forms.TimeInput(attrs={"type": "time"}),
                          help_text="An end before the start is on the next day.")
    every = forms.IntegerField(label="Every", min_value=1, max_value=9999, required=False)
    unit = forms.ChoiceField(label="Unit", choices=UNITS.items(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        needed = ("days", "start", "end") if data.get("kind") == SCHEDULE else ("every", "unit")
        for field in needed:
            if not data.get(field) and field not in self.errors:
                self.add_error(field, "This field is required for this type.")
        return data

    def ical(self) -> str:
        """The schedule as the events service takes it (after is_valid()), on the
        wall clock of the device's time zone; 1970-01-05 was a Monday."""
        data = self.cleaned_data
        if data["kind"] == PULSE:
            return f"DTSTART:19700105T000000\nRRULE:FREQ={data['unit']};INTERVAL={data['every']}"
        start, end = data["start"], data["end"]
        end_day = 5 if end > start else 6
        return (f"DTSTART:19700105T{start:%H%M%S}\nDTEND:197001{end_day:02d}T{end:%H%M%S}\n"
                f"RRULE:FREQ=WEEKLY;BYDAY={','.join(d for d in DAYS if d in data['days'])}")


# The manual's fields of each type of recipient (System > Events > Recipients).
RECIPIENT_FIELDS = {
    "email": ("to", "sender", "host", "port", "encryption", "validate_certificate", "username",
              "password"),
    "http": ("url", "method", "username", "password"),
    "https": ("url", "method", "validate_certificate", "username", "password"),
    "ftp": ("host", "port", "folder", "username", "password", "passive", "temporary_name"),
    "sftp": ("host", "port", "folder", "username", "password", "sha256_fingerprint",
             "temporary_name"),
    "tcp": ("host", "port"),
}
FLAGS = ("validate_certificate", "passive", "temporary_name")


class RecipientForm(forms.Form):
    """The manual's "Add recipient": a type, its name, and the fields of that type
    (the others are left out); the events service checks what is sent."""

    type = forms.ChoiceField(label="Type", choices=contract.RECIPIENT_TYPES.items())
    name = forms.CharField(label="Name", max_length=contract.MAX_NAME)
    to = forms.CharField(label="Send email to", required=False,
                         help_text="Email: addresses separated by commas.")
    sender = forms.CharField(label="Send email from", required=False)
    url = forms.CharField(label="URL", required=False, help_text="HTTP and HTTPS.")
    method = forms.ChoiceField(label="Method", required=False,
                               choices=[(m, m) for m in contract.HTTP_METHODS])
    host = forms.CharField(label="Host", required=False)
    port = forms.IntegerField(label="Port", required=False, min_value=1, max_value=65535,
                              help_text="Empty: the type's usual port.")
    encryption = forms.ChoiceField(label="Encryption", required=False,
                                   choices=contract.ENCRYPTIONS.items())
    validate_certificate = forms.BooleanField(label="Validate server certificate",
                                              required=False, initial=True)
    folder = forms.CharField(label="Folder", required=False)
    passive = forms.BooleanField(label="Use passive FTP", required=False, initial=True)
    temporary_name = forms.BooleanField(label="Use temporary file name", required=False)
    sha256_fingerprint = forms.CharField(label="SSH host public key (SHA256)", required=False)
    username = forms.CharField(label="Username", required=False)
    password = forms.CharField(label="Password", required=False,
                               widget=forms.PasswordInput(render_value=False))

    def recipient(self) -> dict[str, Any]:
        """The recipient as the events service takes it (after is_valid())."""
        data = self.cleaned_data
        chosen = {"type": data["type"], "name": data["name"]}
        for name in RECIPIENT_FIELDS[data["type"]]:
            if name in FLAGS or data.get(name) not in (None, ""):
                chosen[name] = data[name]
        return chosen
