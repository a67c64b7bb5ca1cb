"""AXIS's action and recipient templates as this device offers them (the action
service's GetActionTemplates and GetRecipientTemplates), and the translation
of a configuration's parameters, text as VAPIX sends them, into what the
events service takes: an action of a rule, a recipient. The service checks
the result; this module turns the text into values and AXIS's names into
Herald's, and refuses what it does not know.

Play and stop take AXIS's parameters (a clip by its location, as
mediaclip.cgi plays it). A notification names its recipient configuration
(recipient_id), as a page's rule names its recipient: AXIS devices copy the
recipient's parameters into the action instead, which this device refuses
with a reason rather than keep a second copy of the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herald.audio.contract import ClipNotFound
from herald.events import contract
from herald_web.audio.engine import clips
from herald_web.events.instances import as_text
from herald_web.vapix.soap import invalid

BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
AUDIO_IDS = ("audiodeviceid", "audiooutputid")  # this device has one of each: 0


@dataclass(frozen=True)
class Parameter:
    """A template's parameter: AXIS's name, Herald's field, the value's type."""

    name: str
    field: str
    kind: type = str

    def value(self, raw: str) -> Any:
        if self.kind is bool:
            if raw.lower() not in BOOLEANS:
                raise invalid(f"{self.name}: 1 or 0 (true or false), not {raw!r:.40}")
            return BOOLEANS[raw.lower()]
        if self.kind is int:
            if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
                raise invalid(f"{self.name}: a whole number, not {raw!r:.40}")
            return int(raw)
        return raw


def values(token: str, parameters: dict[str, str],
           known: tuple[Parameter, ...]) -> dict[str, Any]:
    """`parameters` of template `token` as Herald's fields and values."""
    by_name = {p.name: p for p in known}
    unknown = sorted(set(parameters) - set(by_name))
    if unknown:
        raise invalid(f"{unknown[0]!r:.60} is not a parameter of {token} on this device; it "
                      f"takes {', '.join(by_name) or 'none'}")
    return {by_name[name].field: by_name[name].value(raw) for name, raw in parameters.items()}


# -- recipients -------------------------------------------------------------------

LOGIN = (Parameter("login", "username"), Parameter("password", "password"))
RECIPIENTS: dict[str, tuple[str, tuple[Parameter, ...]]] = {
    "com.axis.recipient.smtp": ("email", (
        Parameter("email_to", "to"), Parameter("email_from", "sender"), Parameter("host", "host"),
        Parameter("port", "port", int), *LOGIN, Parameter("encryption", "encryption"),
        Parameter("validate_server_cert", "validate_certificate", bool))),
    "com.axis.recipient.http": ("http", (Parameter("upload_url", "url"), *LOGIN)),
    "com.axis.recipient.https": ("https", (
        Parameter("upload_url", "url"), *LOGIN,
        Parameter("validate_server_cert", "validate_certificate", bool))),
    "com.axis.recipient.ftp": ("ftp", (
        Parameter("host", "host"), Parameter("port", "port", int),
        Parameter("upload_path", "folder"), *LOGIN, Parameter("passive", "passive", bool),
        Parameter("temporary", "temporary_name", bool))),
    "com.axis.recipient.sftp": ("sftp", (
        Parameter("host", "host"), Parameter("port", "port", int),
        Parameter("upload_path", "folder"), *LOGIN,
        Parameter("sha256_fingerprint", "sha256_fingerprint"),
        Parameter("temporary", "temporary_name", bool))),
    "com.axis.recipient.tcp": ("tcp", (Parameter("host", "host"),
                                       Parameter("port", "port", int))),
}
TOKENS = {kind: token for token, (kind, _) in RECIPIENTS.items()}  # Herald's type -> token


def recipient(name: str, token: str, parameters: dict[str, str]) -> dict[str, Any]:
    """A recipient configuration as the events service takes a recipient."""
    if token not in RECIPIENTS:
        raise invalid(f"no recipient template {token!r:.80} on this device: "
                      f"{', '.join(RECIPIENTS)}")
    kind, known = RECIPIENTS[token]
    return {"type": kind, "name": name, **values(token, parameters, known)}


def recipient_parameters(kept: dict[str, Any]) -> dict[str, str]:
    """A kept recipient's fields as its template's parameters; the password is
    not shown."""
    _, known = RECIPIENTS[TOKENS[kept["type"]]]
    return {p.name: as_text(kept[p.field]) for p in known
            if p.field in kept and p.field != "password"}


# -- actions ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionTemplate:
    token: str
    kind: str  # the action's kind (contract.PLAY_CLIP, ...)
    mode: str
    parameters: tuple[Parameter, ...] = ()
    recipient_template: str = ""


PLAY = (Parameter("location", "clip"), Parameter("volume", "volume", int),
        *(Parameter(name, name, int) for name in AUDIO_IDS))
NOTIFY = (Parameter("recipient_id", "recipient", int), Parameter("subject", "subject"),
          Parameter("message", "message"))
ACTIONS = {t.token: t for t in (
    ActionTemplate("com.axis.action.fixed.play.audioclip", contract.PLAY_CLIP, contract.ONCE,
                   (*PLAY, Parameter("repeat", "repeat", int))),
    ActionTemplate("com.axis.action.unlimited.play.audioclip", contract.PLAY_CLIP,
                   contract.WHILE_ACTIVE, PLAY),
    ActionTemplate("com.axis.action.fixed.stop.audioclip", contract.STOP_CLIP, contract.ONCE),
    ActionTemplate("com.axis.action.fixed.autospeakertest.performtest",
                   contract.SPEAKER_TEST_ACTION, contract.ONCE),
    ActionTemplate("com.axis.action.fixed.snmptrap", contract.SNMP_TRAP, contract.ONCE,
                   (Parameter("message", "message"),)),
    ActionTemplate("com.axis.action.fixed.mqtt.publish", contract.MQTT_PUBLISH, contract.ONCE,
                   (Parameter("topic", "topic"), Parameter("payload", "message"),
                    Parameter("qos", "qos", int), Parameter("retain", "retain", bool))),
    *(ActionTemplate(f"com.axis.action.fixed.notification.{token.rpartition('.')[2]}",
                     contract.NOTIFY_ACTION, contract.ONCE, NOTIFY, token)
      for token in RECIPIENTS),
)}


def action(token: str, parameters: dict[str, str],
           recipients: dict[int, str]) -> dict[str, Any]:
    """The action an action configuration of template `token` runs, as the events
    service takes it; `recipients`: the kept recipients' types by id."""
    template = ACTIONS.get(token)
    if template is None:
        raise invalid(f"no action template {token!r:.80} on this device: {', '.join(ACTIONS)}")
    given = values(token, parameters, template.parameters)
    if any(given.pop(name, 0) != 0 for name in AUDIO_IDS):
        raise invalid("audiodeviceid and audiooutputid: this device has one audio device "
                      "with one output, 0")
    if "clip" in given:
        try:
            given["clip"] = clips().find(given["clip"]).id
        except ClipNotFound as exc:
            raise invalid(f"location: {exc}") from None
    elif template.kind == contract.PLAY_CLIP:
        raise invalid(f"{token} needs the location of the clip to play")
    if template.recipient_template:
        wanted = RECIPIENTS[template.recipient_template][0]
        if recipients.get(given.get("recipient", 0)) != wanted:
            raise invalid(f"recipient_id: the ConfigurationID of a {wanted} recipient "
                          f"configuration ({template.recipient_template})")
    return {"kind": template.kind, "mode": template.mode, **given}
