"""Rules as the manual has them: a name, on or off, one trigger condition and
further conditions (each may be inverted), a wait between actions, and one
action that runs once or for as long as the rule is active. A trigger on an
event with a state may also be any change of it (the manual's sound level
"passes the set value": crossing either way), which happens rather than lasts.

`Rule.from_dict` is the one place a rule from outside (a page, VAPIX, the
bus) is checked; what it refuses it names, field by field. An action
configuration (VAPIX's action service) is an action kept under a name, for
rules to run; `ActionConfiguration.from_dict` checks it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from herald.events.contract import (
    ACTIONS,
    LASTING_ACTIONS,
    LIGHT_PROFILE,
    MAX_ACTION_PARAMETERS,
    MAX_CONDITIONS,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_PARAMETER,
    MAX_REPEAT,
    MAX_SOURCE,
    MAX_SUBJECT,
    MAX_VOLUME,
    MAX_WAIT_SECONDS,
    MQTT_PUBLISH,
    NOTIFY_ACTION,
    ONCE,
    RECORD,
    SIP_ANSWER,
    SIP_CALL_ACTION,
    SNMP_TRAP,
    SPEAKER_TEST_ACTION,
    STOP_CLIP,
    TYPES,
    WHILE_ACTIVE,
    EventType,
)
from herald.mqtt.settings import topic_problem
from herald.sip.contract import uri_problem
from herald.snmp.contract import MAX_TRAP_TEXT


class RuleError(ValueError):
    """A rule that cannot be taken; the message says which field and why."""


def _bool(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise RuleError(f"{where}: true or false, not {value!r:.40}")
    return value


def _name(where: str, value: Any, limit: int = MAX_NAME) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or any(
            ord(c) < 32 for c in value):
        raise RuleError(f"{where}: 1 to {limit} characters, no control characters")
    return value.strip()


def _whole(where: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(f"{where}: a whole number from {low} to {high}, not {value!r:.40}")
    return value


def _message(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_MESSAGE:
        raise RuleError(f"message: at most {MAX_MESSAGE} characters")
    return value


@dataclass(frozen=True)
class Condition:
    """An event type's instance (`source`; None: any) in a state (`value`), or,
    inverted, not in it. For a type that only happens, the occurrence itself;
    value None: any change of the instance's state (a trigger only)."""

    topic: str
    source: Any = None
    value: Any = True
    invert: bool = False

    @property
    def type(self) -> EventType:
        return TYPES[self.topic]

    @property
    def lasts(self) -> bool:
        """Whether it holds for a while (a state) rather than happens (an occurrence
        or a change)."""
        return self.type.stateful and self.value is not None

    @classmethod
    def from_dict(cls, where: str, raw: Any) -> Condition:
        if not isinstance(raw, dict):
            raise RuleError(f"{where}: an object with a topic")
        unknown = set(raw) - {"topic", "source", "value", "invert"}
        if unknown:
            raise RuleError(f"{where}: unknown field {sorted(unknown)[0]!r}")
        kind = TYPES.get(raw.get("topic"))  # type: ignore[arg-type]
        if kind is None:
            raise RuleError(f"{where}: no event {raw.get('topic')!r:.80} on this device")
        source = raw.get("source")
        if source is not None:
            allowed = kind.source.values if kind.source else ()
            if kind.source is None or (allowed and source not in allowed) or (
                    not allowed and not (isinstance(source, str)
                                         and 0 < len(source) <= MAX_SOURCE)):
                raise RuleError(f"{where}: {kind.nice_name} has no instance {source!r:.40}")
        free = not kind.data.values  # text of any kind (an MQTT payload); None: any
        value = raw.get("value", None if free else True)
        if free and value is not None and not (isinstance(value, str)
                                               and len(value) <= MAX_PARAMETER):
            raise RuleError(f"{where}: {kind.nice_name}'s {kind.data.name} is text of at most "
                            f"{MAX_PARAMETER} characters, not {value!r:.40}")
        changes = value is None and kind.stateful
        if kind.data.values and value not in kind.data.values and not changes:
            raise RuleError(f"{where}: {kind.nice_name} is never {value!r:.40}")
        invert = _bool(f"{where} invert", raw.get("invert", False))
        if invert and (changes or not kind.stateful):
            raise RuleError(f"{where}: a change of {kind.nice_name}, or an event that only "
                            "happens, cannot be inverted")
        return cls(kind.topic, source, value, invert)


@dataclass(frozen=True)
class Action:
    kind: str
    mode: str = ONCE
    clip: int | None = None
    volume: int = 100
    repeat: int = 0
    recipient: int | None = None
    subject: str = ""
    message: str = ""  # a notification's, a trap's, an MQTT message's payload
    topic: str = ""  # an MQTT message's
    qos: int = 0
    retain: bool = False
    profile: str = ""  # a light profile's name
    address: str = ""  # the SIP address a call goes to
    account: str = ""  # the SIP account's name it goes out from ("": the default)

    @classmethod
    def from_dict(cls, raw: Any, trigger: Condition | None = None) -> Action:
        """The action of a rule with `trigger`, or (None) of a rule to come: what
        lasts while the rule is active is checked against the trigger then."""
        if not isinstance(raw, dict):
            raise RuleError("action: an object with a kind")
        kind, mode = raw.get("kind"), raw.get("mode", ONCE)
        if kind not in ACTIONS:
            raise RuleError(f"action: one of {', '.join(ACTIONS)}, not {kind!r:.40}")
        if mode not in (ONCE, WHILE_ACTIVE):
            raise RuleError(f"action mode: {ONCE} or {WHILE_ACTIVE}, not {mode!r:.40}")
        if mode == WHILE_ACTIVE and (kind not in LASTING_ACTIONS
                                     or (trigger is not None and not trigger.lasts)):
            raise RuleError("action mode: only playing a clip, recording or a light profile can "
                            "last while the rule is active, and only with a trigger that has a "
                            "state")
        if kind == RECORD and mode != WHILE_ACTIVE:
            raise RuleError(f"action mode: a recording lasts {WHILE_ACTIVE}")
        if kind in (STOP_CLIP, RECORD, SPEAKER_TEST_ACTION, SIP_ANSWER):
            return cls(kind, mode)
        if kind == SIP_CALL_ACTION:
            if problem := uri_problem(raw.get("address"), "address"):
                raise RuleError(problem)
            account = raw.get("account", "")
            if not isinstance(account, str) or len(account) > MAX_NAME:
                raise RuleError(f"account: a SIP account's name of at most {MAX_NAME} "
                                "characters, or none for the default account")
            return cls(kind, mode, address=raw["address"], account=account)
        if kind == LIGHT_PROFILE:
            return cls(kind, mode, profile=_name("profile", raw.get("profile")))
        message = raw.get("message", "")
        if kind == SNMP_TRAP:
            if not isinstance(message, str) or len(message.encode()) > MAX_TRAP_TEXT:
                raise RuleError(f"message: at most {MAX_TRAP_TEXT} bytes in an SNMP trap")
            return cls(kind, mode, message=message)
        if kind == MQTT_PUBLISH:
            if problem := topic_problem(raw.get("topic")):
                raise RuleError(f"topic: {problem}")
            return cls(kind, mode, message=_message(message), topic=raw["topic"],
                       qos=_whole("qos", raw.get("qos", 0), 0, 2),
                       retain=_bool("retain", raw.get("retain", False)))
        if kind == NOTIFY_ACTION:
            subject = raw.get("subject", "")
            if not isinstance(subject, str) or len(subject) > MAX_SUBJECT or any(
                    ord(c) < 32 for c in subject):
                raise RuleError(f"subject: one line of at most {MAX_SUBJECT} characters")
            return cls(kind, mode, recipient=_whole("recipient", raw.get("recipient"), 1,
                                                    2**31 - 1), subject=subject,
                       message=_message(message))
        return cls(kind, mode, _whole("clip", raw.get("clip"), 0, 2**31 - 1),
                   _whole("volume", raw.get("volume", 100), 0, MAX_VOLUME),
                   _whole("repeat", raw.get("repeat", 0), 0, MAX_REPEAT))


@dataclass(frozen=True)
class Rule:
    name: str
    enabled: bool
    trigger: Condition
    conditions: tuple[Condition, ...]
    action: Action
    wait_seconds: int = 0  # "wait between actions": the least time between two runs
    configuration: int | None = None  # the action configuration (VAPIX) its action is

    @classmethod
    def from_dict(cls, raw: Any) -> Rule:
        if not isinstance(raw, dict):
            raise RuleError("a rule is an object")
        unknown = set(raw) - {"name", "enabled", "trigger", "conditions", "action",
                              "wait_seconds", "configuration"}
        if unknown:
            raise RuleError(f"unknown field {sorted(unknown)[0]!r}")
        name = _name("name", raw.get("name"))
        trigger = Condition.from_dict("trigger", raw.get("trigger"))
        conditions = raw.get("conditions", [])
        if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
            raise RuleError(f"conditions: a list of at most {MAX_CONDITIONS}")
        checked = tuple(Condition.from_dict(f"condition {n}", c)
                        for n, c in enumerate(conditions, 1))
        if any(not c.lasts for c in checked):
            raise RuleError("conditions: only states can be further conditions; an event "
                            "that only happens, or a change, can be the trigger")
        configuration = raw.get("configuration")
        return cls(name, _bool("enabled", raw.get("enabled", True)), trigger, checked,
                   Action.from_dict(raw.get("action"), trigger),
                   _whole("wait_seconds", raw.get("wait_seconds", 0), 0, MAX_WAIT_SECONDS),
                   None if configuration is None else _whole("configuration", configuration,
                                                             1, 2**31 - 1))

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["conditions"] = list(body["conditions"])
        return body

    @property
    def topics(self) -> set[str]:
        """The event types whose change can start or end this rule."""
        return {self.trigger.topic, *(c.topic for c in self.conditions)}


@dataclass(frozen=True)
class ActionConfiguration:
    """An action kept under a name for rules to run (VAPIX's action configurations):
    the AXIS template it was made from and its parameters as given, which VAPIX
    lists back, and the action they came to."""

    name: str
    template: str
    parameters: dict[str, str]
    action: Action

    @classmethod
    def from_dict(cls, raw: Any) -> ActionConfiguration:
        if not isinstance(raw, dict):
            raise RuleError("an action configuration is an object")
        unknown = set(raw) - {"name", "template", "parameters", "action"}
        if unknown:
            raise RuleError(f"unknown field {sorted(unknown)[0]!r}")
        parameters = raw.get("parameters", {})
        if not isinstance(parameters, dict) or len(parameters) > MAX_ACTION_PARAMETERS or any(
                not isinstance(k, str) or not isinstance(v, str) or not k or len(k) > MAX_NAME
                or len(v) > MAX_PARAMETER for k, v in parameters.items()):
            raise RuleError(f"parameters: at most {MAX_ACTION_PARAMETERS} names with values of "
                            f"at most {MAX_PARAMETER} characters")
        return cls(_name("name", raw.get("name")), _name("template", raw.get("template"), 128),
                   dict(parameters), Action.from_dict(raw.get("action")))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
