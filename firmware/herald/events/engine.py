"""The rule engine: it keeps the state of every stateful event instance, and
on each occurrence re-evaluates only the rules that refer to its type.

A rule with a stateful trigger is active while its trigger and all its
conditions hold: it runs its action when it becomes active, and an action
that lasts "while the rule is active" is stopped when it stops being so. A
rule with a trigger that only happens (a pulse) runs its action on each
occurrence its conditions allow. "Wait between actions" keeps two runs of a
rule at least that far apart. A trigger that is a change of a state (the
sound level passing the set value) runs like one that only happens: on each
change. An action that fails is recorded with the reason (the Rules page
shows it); the engine goes on.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from herald.events.contract import (
    LIGHT_PROFILE,
    MQTT_PUBLISH,
    NOTIFY_ACTION,
    PLAY_CLIP,
    RECORD,
    SIP_ANSWER,
    SIP_CALL_ACTION,
    SNMP_TRAP,
    SPEAKER_TEST_ACTION,
    STOP_CLIP,
    TYPES,
    WHILE_ACTIVE,
    Notification,
    RuleRun,
)
from herald.events.rules import Condition, Rule

log = logging.getLogger(__name__)


class Actions(Protocol):
    """What rules can make the device do (the audio service, in the same process)."""

    async def play_clip(self, clip: int, volume: int, repeat: int) -> int: ...  # -> voice

    async def stop_clip(self) -> None: ...

    async def stop_voice(self, voice: int) -> None: ...

    async def notify(self, recipient: int, subject: str, message: str,
                     facts: dict[str, str]) -> None: ...  # facts: placeholder -> text

    async def start_recording(self, by: str) -> None: ...

    async def stop_recording(self, by: str) -> None: ...

    async def run_speaker_test(self) -> None: ...  # raises with the reason it cannot run

    async def send_trap(self, rule: str, message: str,
                        facts: dict[str, str]) -> None: ...  # to the SNMP trap receivers

    async def mqtt_publish(self, topic: str, payload: str, qos: int, retain: bool,
                           facts: dict[str, str]) -> None: ...  # through the MQTT client

    async def start_light(self, profile: str, by: str) -> int: ...  # -> the light activity

    async def sip_call(self, address: str, account: str) -> None: ...  # through herald-sip

    async def sip_answer(self) -> None: ...  # the ringing call, through herald-sip

    async def stop_light(self, activity: int) -> None: ...


Publish = Callable[[Notification], Awaitable[None]]


class Engine:
    def __init__(self, actions: Actions, publish: Publish,
                 clock: Callable[[], float] = time.time) -> None:
        self.actions, self.publish, self.clock = actions, publish, clock
        self.rules: dict[int, Rule] = {}
        self.by_topic: dict[str, list[int]] = defaultdict(list)
        self.states: dict[tuple[str, Any], Any] = {}
        self.active: dict[int, bool] = {}
        self.runs: dict[int, RuleRun] = {}
        self.voices: dict[int, int] = {}  # rule -> the clip it plays while active
        self.recording: set[int] = set()  # rules whose recording runs
        self.lights: dict[int, int] = {}  # rule -> the light activity it runs while active

    async def load(self, rules: dict[int, Rule], starting: bool = False) -> None:
        """Take a new set of rules. A rule that is active at once runs as it would on
        becoming active, except when the device starts: then only what lasts "while
        active" resumes (a restart must not replay one-off actions)."""
        for rule_id in set(self.rules) - set(rules):
            await self._deactivate(rule_id)
            self.runs.pop(rule_id, None)
        changed = {i for i, r in rules.items() if self.rules.get(i) != r}
        for rule_id in changed & set(self.rules):
            await self._deactivate(rule_id)
        self.rules = dict(rules)
        self.by_topic.clear()
        for rule_id, rule in self.rules.items():
            for topic in rule.topics:
                self.by_topic[topic].append(rule_id)
            self.runs.setdefault(rule_id, RuleRun(rule_id, None, ""))
        for rule_id in sorted(changed):
            if self.rules[rule_id].trigger.lasts:
                await self._evaluate(rule_id, once=not starting)

    async def occur(self, topic: str, source: Any, data: Any, initial: bool = False) -> None:
        """An occurrence of event type `topic` (instance `source`, state or facts `data`)."""
        kind = TYPES[topic]
        if kind.stateful:
            if not initial and self.states.get((topic, source)) == data:
                return  # no change of state: nothing happened
            self.states[(topic, source)] = data
        await self.publish(Notification(
            topic, {kind.source.name: source} if kind.source else {},
            {kind.data.name: data}, self.clock(), kind.stateful, initial))
        for rule_id in list(self.by_topic.get(topic, ())):
            rule = self.rules[rule_id]
            if rule.trigger.lasts:
                await self._evaluate(rule_id, once=True)
            elif (rule.trigger.topic == topic and rule.enabled
                  and rule.trigger.source in (None, source)
                  and rule.trigger.value in (None, data)
                  and all(self._holds(c) for c in rule.conditions)):
                await self._run(rule_id)

    def _holds(self, condition: Condition) -> bool:
        kind = condition.type
        default = kind.data.values[0] if kind.data.values else None
        states = [value for (topic, source), value in self.states.items()
                  if topic == condition.topic and condition.source in (None, source)]
        return any(v == condition.value for v in states or [default]) != condition.invert

    async def _evaluate(self, rule_id: int, once: bool) -> None:
        rule = self.rules[rule_id]
        active = rule.enabled and self._holds(rule.trigger) and all(
            self._holds(c) for c in rule.conditions)
        if active == self.active.get(rule_id, False):
            return
        self.active[rule_id] = active
        if not active:
            await self._deactivate(rule_id)
        elif once or rule.action.mode == WHILE_ACTIVE:
            await self._run(rule_id)

    async def _deactivate(self, rule_id: int) -> None:
        self.active[rule_id] = False
        voice = self.voices.pop(rule_id, None)
        if voice is not None:
            await self._attempt(rule_id, self.actions.stop_voice(voice))
        light = self.lights.pop(rule_id, None)
        if light is not None:
            await self._attempt(rule_id, self.actions.stop_light(light))
        if rule_id in self.recording:
            self.recording.discard(rule_id)
            await self._attempt(rule_id, self.actions.stop_recording(
                f"rule {self.rules[rule_id].name}"))

    async def _run(self, rule_id: int) -> None:
        rule, now = self.rules[rule_id], self.clock()
        last = self.runs[rule_id].last_run
        if last is not None and now - last < rule.wait_seconds:
            return
        action = rule.action
        if action.kind == PLAY_CLIP:
            lasting = action.mode == WHILE_ACTIVE
            voice = await self._attempt(rule_id, self.actions.play_clip(
                action.clip or 0, action.volume, -1 if lasting else action.repeat))
            if lasting and voice is not None:
                self.voices[rule_id] = voice
        elif action.kind == STOP_CLIP:
            await self._attempt(rule_id, self.actions.stop_clip())
        elif action.kind == RECORD:
            started = await self._attempt(rule_id, self.actions.start_recording(
                f"rule {rule.name}"))
            if started is not None:
                self.recording.add(rule_id)
        elif action.kind == SPEAKER_TEST_ACTION:
            await self._attempt(rule_id, self.actions.run_speaker_test())
        elif action.kind == SIP_CALL_ACTION:
            await self._attempt(rule_id, self.actions.sip_call(action.address, action.account))
        elif action.kind == SIP_ANSWER:
            await self._attempt(rule_id, self.actions.sip_answer())
        elif action.kind == LIGHT_PROFILE:
            activity = await self._attempt(rule_id, self.actions.start_light(
                action.profile, f"rule {rule.name}"))
            if action.mode == WHILE_ACTIVE and activity is not None:
                self.lights[rule_id] = activity
        elif action.kind in (NOTIFY_ACTION, SNMP_TRAP, MQTT_PUBLISH):
            facts = {"{rule}": rule.name, "{event}": rule.trigger.type.nice_name,
                     "{time}": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}
            await self._attempt(rule_id, self.actions.notify(
                action.recipient or 0, action.subject, action.message, facts)
                if action.kind == NOTIFY_ACTION else
                self.actions.send_trap(rule.name, action.message, facts)
                if action.kind == SNMP_TRAP else
                self.actions.mqtt_publish(action.topic, action.message, action.qos,
                                          action.retain, facts))
        if self.runs[rule_id].error == "":
            self.runs[rule_id] = RuleRun(rule_id, now, "")

    async def _attempt(self, rule_id: int, step: Awaitable[Any]) -> Any:
        try:
            result = await step
        except Exception as exc:  # the rule's failure, shown with the rule
            log.warning("rule %d (%s) failed: %s", rule_id, self.rules[rule_id].name, exc)
            self.runs[rule_id] = RuleRun(rule_id, self.clock(), str(exc))
            return None
        self.runs[rule_id] = RuleRun(rule_id, self.runs[rule_id].last_run, "")
        return result
