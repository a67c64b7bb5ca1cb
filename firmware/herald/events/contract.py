"""The events service's contract on the bus (herald-core runs it beside audio,
so a rule's "play clip" reaches the mixer without a hop).

Calls to SERVICE; each answers {"ok": True, ...} or {"ok": False, "message"}
with a message a page or a VAPIX reply shows as it is:
    LIST_RULES()                    -> "rules": [{"id", **rule, "last_run", "error"}]
    ADD_RULE(rule, by)              -> "id"    (rule: the dict form of rules.Rule)
    UPDATE_RULE(rule_id, rule, by)
    REMOVE_RULE(rule_id, by)
    SET_VIRTUAL_INPUT(port, active, seconds=None)  -> "changed": whether the state
                                    changed (VAPIX's StateChanged); with seconds, an
                                    activation ends by itself after them
    MANUAL_TRIGGER(active, by)      -> "changed"
    INSTANCES()                     -> "instances": the event types the device
                                    has (catalog.EventType dicts), for the pages and
                                    VAPIX GetEventInstances
    STATES()                        -> "states": each stateful instance's data now
Event NOTIFY {"notification": `Notification`}: every occurrence of an event type, in the shape
the VAPIX event stream sends (topic, source, key, data), for the websocket
stream and the MQTT bridge.
State RULES `RuleRuns`: each rule's last run and its error, for the Rules page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from herald.payload import Payload

SERVICE = "events"

LIST_RULES = "list_rules"
ADD_RULE = "add_rule"
UPDATE_RULE = "update_rule"
REMOVE_RULE = "remove_rule"
SET_VIRTUAL_INPUT = "set_virtual_input"
MANUAL_TRIGGER = "manual_trigger"
INSTANCES = "instances"
STATES = "states"

NOTIFY = "events.notify"
RULES = "events.rules"

MAX_RULES = 256  # the manual's limit
VIRTUAL_INPUTS = range(1, 33)  # VAPIX's virtual input ports


@dataclass(frozen=True)
class Notification(Payload):
    """One occurrence of an event type; `data` holds the state (stateful types)
    or the facts (stateless ones). `initial`: the state as it was when the
    service started, not a change (VAPIX: PropertyOperation Initialized)."""

    topic: str
    source: dict[str, Any]
    data: dict[str, Any]
    timestamp: float  # seconds since the epoch
    stateful: bool
    initial: bool = False
    key: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleRun:
    rule: int
    last_run: float | None  # seconds since the epoch; None: never ran
    error: str  # why the last run failed, "" when it did not


@dataclass(frozen=True)
class RuleRuns(Payload):
    runs: tuple[RuleRun, ...]
