"""The events service: rules and schedules kept in the database, event sources
from the bus, from its own calls (virtual inputs, the manual trigger) and from
the clock (schedules, pulses), and the engine that runs the rules' actions on
the audio service in the same process."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from herald import timezone
from herald.audio import contract as audio
from herald.audio.service import AudioService
from herald.bus import PING, AsyncBus, ServiceUnavailable, Subscription, state_event
from herald.core import contract as board
from herald.events import contract
from herald.events import recipients as kinds
from herald.events.engine import Engine
from herald.events.outbox import Outbox
from herald.events.rules import ActionConfiguration, Rule, RuleError
from herald.events.schedule import Interval, Pulse
from herald.events.store import RuleStore
from herald.light.service import LightService
from herald.mqtt import contract as mqtt
from herald.params import ParamStore
from herald.recordings import contract as recordings
from herald.recordings.service import RecordingsService
from herald.sip import contract as sip
from herald.snmp import contract as snmp
from herald.system import contract as system
from herald.update import contract as update
from herald.update.pending import boot_id

log = logging.getLogger(__name__)

# The clock is looked at again after this long at most: a new time zone or a
# clock set by NTP takes effect within it.
CLOCK_SECONDS = 60.0
# How long a rule waits for herald-snmp (which gives each receiver 1 s) or
# herald-mqtt: the engine runs the next rules after it.
TRAP_SECONDS = 2.0

# Bus state -> (event type, its instance): the audio service's facts as events.
FROM_STATE = {
    audio.CLIP_PLAYING: (contract.CLIP_PLAYING, 0),
    audio.LIVE_ACTIVE: (contract.LIVE_AUDIO, 0),
    audio.sound_level_triggered(0): (contract.SOUND_LEVEL, 1),  # VAPIX counts channels from 1
    recordings.ONGOING: (contract.RECORDING, next(iter(recordings.STORAGES))),
    board.BUTTON: (contract.CONTROL_BUTTON, 1),
    board.MOTION: (contract.PIR, 0),
}


def filled(text: str, facts: dict[str, str]) -> str:
    """`text` with each placeholder ({rule}, ...) replaced by its fact."""
    for placeholder, fact in facts.items():
        text = text.replace(placeholder, fact)
    return text


class DeviceActions:
    """The engine's actions: sound by the audio service directly, notifications
    kept in the outbox and tried at once (herald-worker's periodic task tries
    again what fails)."""

    def __init__(self, service: AudioService, recorder: RecordingsService, light: LightService,
                 store: RuleStore, outbox: Outbox, spawn: Any) -> None:
        self.service, self.recorder, self.light = service, recorder, light
        self.store, self.outbox, self.spawn = store, outbox, spawn

    async def play_clip(self, clip: int, volume: int, repeat: int) -> int:
        return int((await self.service.play_clip(clip, volume, repeat))["voice"])

    async def stop_clip(self) -> None:
        await self.service.stop_clip()

    async def stop_voice(self, voice: int) -> None:
        self.service.mixer.stop("rule ended", voice_id=voice)

    async def start_recording(self, by: str) -> bool:
        answer = await self.recorder.start_recording(next(iter(recordings.STORAGES)), by)
        if not answer["ok"]:
            raise RuleError(answer["message"])
        return True

    async def stop_recording(self, by: str) -> None:
        await self.recorder.stop_recording(by)

    async def run_speaker_test(self) -> None:
        await self.service.speaker_test.test()  # its refusal says why, for the Rules page

    async def start_light(self, profile: str, by: str) -> int:
        answer = await self.light.start_profile(profile, by)
        if not answer["ok"]:
            raise RuleError(answer["message"])
        return answer["activity"]

    async def stop_light(self, activity: int) -> None:
        await self.light.stop_activity(activity)

    async def send_trap(self, rule: str, message: str, facts: dict[str, str]) -> None:
        """Through herald-snmp, which holds the trap receivers; its refusal (SNMP
        off, no receivers) or its absence is the rule's error."""
        await self._call("herald-snmp", snmp.SERVICE, snmp.SEND_TRAP, rule=rule,
                         message=filled(message, facts))

    async def mqtt_publish(self, topic: str, payload: str, qos: int, retain: bool,
                           facts: dict[str, str]) -> None:
        """Through herald-mqtt; its refusal (the client off) or absence is the rule's error."""
        await self._call("herald-mqtt", mqtt.SERVICE, mqtt.PUBLISH, topic=topic,
                         payload=filled(payload, facts), qos=qos, retain=retain)

    async def sip_call(self, address: str, account: str) -> None:
        """Through herald-sip; its refusal (SIP off, a call under way, no such
        account) or absence is the rule's error."""
        await self._call("herald-sip", sip.SERVICE, sip.DIAL, uri=address, account=account)

    async def sip_answer(self) -> None:
        await self._call("herald-sip", sip.SERVICE, sip.ANSWER)

    async def _call(self, daemon: str, service: str, method: str, **params: Any) -> None:
        """A call to another daemon that a rule makes; the daemon's refusal or
        absence is the rule's error."""
        try:
            answer = await self.service.bus.call(service, method, timeout=TRAP_SECONDS,
                                                 **params)
        except ServiceUnavailable:
            raise RuleError(f"{daemon} does not answer") from None
        if isinstance(answer, dict) and not answer.get("ok", True):
            raise RuleError(answer.get("message", f"{daemon} refused"))

    async def notify(self, recipient: int, subject: str, message: str,
                     facts: dict[str, str]) -> None:
        if await asyncio.to_thread(self.store.recipient, recipient) is None:
            raise RuleError(f"there is no recipient {recipient}")
        await asyncio.to_thread(self.outbox.put, recipient, kinds.Notification(
            filled(subject, facts), filled(message, facts)), time.time())
        self.spawn(asyncio.to_thread(self.outbox.deliver_due, time.time()))


def _number(value: Any, what: str = "rule") -> int:
    """A rule's or recipient's number, as the caller sent it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"there is no {what} {value!r:.40}")
    return value


def _upgraded_at(status: Any) -> float | None:
    """When the boot gate kept the last upgrade, from its firmware status (a new
    time: a new upgrade); None before any, or from a status this cannot read."""
    try:
        last = update.FirmwareStatus.from_dict(status).last
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return last.time if last is not None and last.outcome == "upgraded" else None


def _call_state(raw: Any) -> str:
    """The SIP call's state from herald-sip's; idle when there is none (SIP
    off) or this cannot read it."""
    try:
        state = sip.SipCall.from_dict(raw).state
    except (ValueError, TypeError, KeyError, AttributeError):
        return sip.IDLE
    return state if state in contract.SIP_CALL.data.values else sip.IDLE


def _ready(raw: Any) -> bool:
    """Whether the boot gate said the services are up in this boot (a state
    kept from an earlier boot, or one this cannot read, is not)."""
    try:
        return update.SystemReady.from_dict(raw).boot == boot_id()
    except (ValueError, TypeError, KeyError, AttributeError):
        return False


def _refused(exc: Exception) -> dict[str, Any]:
    return {"ok": False, "message": str(exc)}


class EventsService:
    def __init__(self, bus: AsyncBus, store: RuleStore, audio_service: AudioService,
                 recorder: RecordingsService, light: LightService, params: ParamStore) -> None:
        self.bus, self.store, self.params = bus, store, params
        self.outbox = Outbox(store.database, store.recipient)
        self.schedules: dict[str, tuple[str, Interval | Pulse]] = {}
        self.pulses: dict[str, datetime] = {}  # pulse -> when it fires next
        self.rescheduled = asyncio.Event()
        self.engine = Engine(DeviceActions(audio_service, recorder, light, store, self.outbox,
                                           self._spawn), self._notify)
        self.subscription: Subscription | None = None
        self.tasks: set[asyncio.Task] = set()
        self.timers: dict[int, asyncio.TimerHandle] = {}  # virtual input -> its deactivation
        self.published_runs: tuple[contract.RuleRun, ...] = ()
        self.upgraded_at: float | None = None  # when the firmware running now was kept
        self.addresses: dict[str, set[str]] = {}  # interface -> its addresses, as last told

    @property
    def handlers(self) -> dict[str, Any]:
        return {
            contract.LIST_RULES: self.list_rules,
            contract.LIST_RECIPIENTS: self.list_recipients,
            contract.ADD_RECIPIENT: self.add_recipient,
            contract.REMOVE_RECIPIENT: self.remove_recipient,
            contract.TEST_RECIPIENT: self.test_recipient,
            contract.DELIVER_NOTIFICATIONS: self.deliver_notifications,
            contract.LIST_SCHEDULES: self.list_schedules,
            contract.ADD_SCHEDULE: self.add_schedule,
            contract.REMOVE_SCHEDULE: self.remove_schedule,
            contract.ADD_RULE: self.add_rule,
            contract.UPDATE_RULE: self.update_rule,
            contract.REMOVE_RULE: self.remove_rule,
            contract.LIST_ACTIONS: self.list_actions,
            contract.ADD_ACTION: self.add_action,
            contract.REMOVE_ACTION: self.remove_action,
            contract.SET_VIRTUAL_INPUT: self.set_virtual_input,
            contract.SET_MANUAL_TRIGGER: self.set_manual_trigger,
            contract.INSTANCES: self.instances,
            contract.STATES: self.states,
            PING: self.ping,
        }

    # -- life cycle -----------------------------------------------------------------

    async def start(self) -> None:
        # Subscribed first, read second: no change slips in between.
        self.subscription = await self.bus.subscribe(*(state_event(k) for k in FROM_STATE),
                                                     audio.SPEAKER_TEST_RESULT,
                                                     state_event(update.STATUS),
                                                     state_event(update.READY),
                                                     state_event(system.NETWORK), mqtt.MESSAGE,
                                                     state_event(sip.CALL), sip.DTMF)
        state = await self.bus.state()
        self.upgraded_at = _upgraded_at(state.get(update.STATUS))
        for port in contract.VIRTUAL_INPUTS:
            await self.engine.occur(contract.VIRTUAL_INPUT.topic, port, False, initial=True)
        await self.engine.occur(contract.MANUAL_TRIGGER.topic, 1, False, initial=True)
        await self.engine.occur(contract.SYSTEM_READY.topic, None,
                                _ready(state.get(update.READY)), initial=True)
        await self._network(state.get(system.NETWORK), initial=True)
        await self.engine.occur(contract.SIP_CALL.topic, None, _call_state(state.get(sip.CALL)),
                                initial=True)
        for key, (kind, source) in FROM_STATE.items():
            await self.engine.occur(kind.topic, source, bool(state.get(key)), initial=True)
        self.schedules = await asyncio.to_thread(self.store.schedules)
        await self._tick(initial=True)
        await self.engine.load(await asyncio.to_thread(self.store.rules), starting=True)
        await self._publish_runs()
        self._spawn(self._follow(self.subscription))
        self._spawn(self._clock())

    async def stop(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.subscription is not None:
            await self.subscription.close()

    async def _follow(self, subscription: Subscription) -> None:
        async for event in subscription:
            key = event.data.get("key")
            if event.topic == audio.SPEAKER_TEST_RESULT:
                await self.engine.occur(contract.SPEAKER_TEST.topic, None, (
                    contract.SPEAKER_TEST_PASSED if event.data.get("passed")
                    else contract.SPEAKER_TEST_FAILED))
            elif key == update.READY:
                await self.engine.occur(contract.SYSTEM_READY.topic, None,
                                        _ready(event.data.get("value")))
            elif event.topic == sip.DTMF:
                await self._dtmf(event.data.get("sequence"))
            elif key == sip.CALL:
                await self.engine.occur(contract.SIP_CALL.topic, None,
                                        _call_state(event.data.get("value")))
            elif key == system.NETWORK:
                await self._network(event.data.get("value"))
            elif event.topic == mqtt.MESSAGE:
                await self._mqtt_message(event.data.get("message"))
            elif key in FROM_STATE:
                kind, source = FROM_STATE[key]
                await self.engine.occur(kind.topic, source, bool(event.data.get("value")))
            elif key == update.STATUS and (
                    at := _upgraded_at(event.data.get("value"))) != self.upgraded_at:
                self.upgraded_at = at
                if at is None:  # a rollback or a failure since: no upgrade
                    continue
                await self.engine.occur(contract.FIRMWARE_UPGRADED.topic, None, True)
            else:
                continue
            await self._publish_runs()

    async def _network(self, raw: Any, initial: bool = False) -> None:
        """herald-system's network interfaces: each one's link as "network lost",
        and the addresses that came or went since it last said (at the start,
        the addresses are only taken in)."""
        try:
            interfaces = system.Network.from_dict(raw).interfaces if raw else ()
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            log.warning("network interfaces the events service cannot read: %s", exc)
            return
        now = {i.name: set(i.addresses) for i in interfaces}
        for interface in interfaces:
            await self.engine.occur(contract.NETWORK_LOST.topic, interface.name,
                                    not interface.up, initial)
        for name in set(self.addresses) - set(now):  # gone: no link, no address
            await self.engine.occur(contract.NETWORK_LOST.topic, name, True)
        for name in sorted(set(now) | set(self.addresses)):
            before, after = self.addresses.get(name, set()), now.get(name, set())
            for kind, changed in ((contract.ADDRESS_REMOVED, before - after),
                                  (contract.ADDRESS_ADDED, after - before)):
                for address in sorted(changed) if not initial else ():
                    await self.engine.occur(kind.topic, name, address)
        self.addresses = now

    async def _mqtt_message(self, raw: Any) -> None:
        """A message on a subscription of herald-mqtt: an MQTT message event, or
        the new state of its topic (a stateful subscription)."""
        try:
            message = mqtt.MqttMessage.from_dict(raw)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            log.warning("an MQTT message the events service cannot read: %s", exc)
            return
        kind = contract.MQTT_STATE if message.stateful else contract.MQTT_MESSAGE
        await self.engine.occur(kind.topic, message.topic, message.payload)

    async def _dtmf(self, raw: Any) -> None:
        """A DTMF sequence a caller pressed (herald-sip): its description names it."""
        try:
            sequence = sip.DtmfSequence.from_dict(raw)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            log.warning("a DTMF sequence the events service cannot read: %s", exc)
            return
        await self.engine.occur(contract.DTMF.topic, sequence.description, sequence.keys)

    def _zone(self) -> ZoneInfo:
        """The device's time zone (System > Date and time): an IANA zone or a POSIX rule."""
        snapshot = self.params.snapshot()
        return timezone.zone({name: snapshot.get(name)
                              for name in (system.TIME_ZONE, system.POSIX_TIME_ZONE)})

    async def _tick(self, initial: bool = False) -> datetime:
        """Each schedule's state and each pulse that is due, now; returns when
        the next of them changes or fires."""
        zone = await asyncio.to_thread(self._zone)
        now = datetime.now(UTC)
        wake = now + timedelta(seconds=CLOCK_SECONDS)
        for schedule_id, (_, schedule) in self.schedules.items():
            if isinstance(schedule, Interval):
                await self.engine.occur(contract.SCHEDULE.topic, schedule_id,
                                        schedule.active(now, zone), initial)
                wake = min(wake, schedule.next_change(now, zone))
                continue
            due = self.pulses.get(schedule_id)
            if due is not None and due <= now:
                await self.engine.occur(contract.PULSE.topic, schedule_id, True)
            if due is None or due <= now:
                due = self.pulses[schedule_id] = schedule.next_fire(now, zone)
            wake = min(wake, due)
        return wake

    async def _clock(self) -> None:
        while True:
            wake = await self._tick()
            await self._publish_runs()
            wait = (wake - datetime.now(UTC)).total_seconds()
            try:
                await asyncio.wait_for(self.rescheduled.wait(), max(wait, 0.001))
            except TimeoutError:
                continue
            self.rescheduled.clear()

    async def _notify(self, notification: contract.Notification) -> None:
        await self.bus.publish(contract.NOTIFY, notification=notification.to_dict())

    async def _publish_runs(self) -> None:
        runs = tuple(self.engine.runs[i] for i in sorted(self.engine.runs))
        if runs != self.published_runs:
            self.published_runs = runs
            await self.bus.set_state(contract.RULES, contract.RuleRuns(runs).to_dict())

    # -- calls -----------------------------------------------------------------------

    async def list_rules(self) -> dict[str, Any]:
        rules = await asyncio.to_thread(self.store.rules)
        return {"ok": True, "rules": [
            {"id": rule_id, **rule.to_dict(), "last_run": self.engine.runs[rule_id].last_run
             if rule_id in self.engine.runs else None,
             "error": self.engine.runs[rule_id].error if rule_id in self.engine.runs else ""}
            for rule_id, rule in rules.items()]}

    async def _change(self, change: Any, what: str, by: str,
                      then: Callable[[], Awaitable[None]] | None = None) -> dict[str, Any]:
        """Make a change of the store (in a thread), say who made it, and take it up
        (`then`; by default, the rules again); a refusal is the answer."""
        try:
            result = await asyncio.to_thread(change)
        except RuleError as exc:
            return _refused(exc)
        log.info("%s by %s", what, by or "the device")
        await (then or self._reload_rules)()
        return {"ok": True, **({} if result is None else {"id": result})}

    async def _reload_rules(self) -> None:
        await self.engine.load(await asyncio.to_thread(self.store.rules))
        await self._publish_runs()

    async def _reload_schedules(self) -> None:
        self.schedules = await asyncio.to_thread(self.store.schedules)
        self.pulses = {k: v for k, v in self.pulses.items() if k in self.schedules}
        self.rescheduled.set()

    def _checked(self, rule: Any) -> Rule:
        """A rule from outside, its schedules among the device's."""
        checked = Rule.from_dict(rule)
        for condition in (checked.trigger, *checked.conditions):
            kind = {contract.SCHEDULE.topic: Interval, contract.PULSE.topic: Pulse}.get(
                condition.topic)
            if kind is None or condition.source is None:
                continue
            found = self.schedules.get(condition.source)
            if found is None or not isinstance(found[1], kind):
                raise RuleError(f"there is no {condition.type.nice_name.lower()} "
                                f"{condition.source!r:.80}")
        return checked

    def _keep(self, rule: Rule | ActionConfiguration, keep: Callable[[], Any]) -> Any:
        """Store `rule` (or action configuration) with `keep`, once the recipient it
        notifies is known."""
        if rule.action.kind == contract.NOTIFY_ACTION and self.store.recipient(
                rule.action.recipient or 0) is None:
            raise RuleError(f"there is no recipient {rule.action.recipient}")
        return keep()

    def _resolved(self, rule: Any) -> Any:
        """A rule from outside, the action of the action configuration it names in it."""
        if not isinstance(rule, dict) or rule.get("configuration") is None:
            return rule
        number = _number(rule["configuration"], "action configuration")
        found = self.store.actions().get(number)
        if found is None:
            raise RuleError(f"there is no action configuration {number}")
        return {**rule, "action": found.to_dict()["action"]}

    async def _rule(self, rule: Any) -> Rule:
        return self._checked(await asyncio.to_thread(self._resolved, rule))

    async def add_rule(self, rule: Any, by: str = "") -> dict[str, Any]:
        try:
            checked = await self._rule(rule)
        except RuleError as exc:
            return _refused(exc)
        return await self._change(lambda: self._keep(checked, lambda: self.store.add(checked)),
                                  f"rule {checked.name!r} added", by)

    async def update_rule(self, rule_id: int, rule: Any, by: str = "") -> dict[str, Any]:
        try:
            checked = await self._rule(rule)
        except RuleError as exc:
            return _refused(exc)
        return await self._change(lambda: self._keep(checked, lambda: self.store.update(
            _number(rule_id), checked)),
                                  f"rule {rule_id} ({checked.name!r}) changed", by)

    async def remove_rule(self, rule_id: int, by: str = "") -> dict[str, Any]:
        return await self._change(lambda: self.store.remove(_number(rule_id)),
                                  f"rule {rule_id} removed", by)

    async def list_actions(self) -> dict[str, Any]:
        found = await asyncio.to_thread(self.store.actions)
        return {"ok": True, "actions": [{"id": action_id, **configuration.to_dict()}
                                        for action_id, configuration in found.items()]}

    async def add_action(self, configuration: Any, by: str = "") -> dict[str, Any]:
        try:
            checked = ActionConfiguration.from_dict(configuration)
        except RuleError as exc:
            return _refused(exc)
        return await self._change(
            lambda: self._keep(checked, lambda: self.store.add_action(checked)),
            f"action configuration {checked.name!r} added", by)

    async def remove_action(self, action_id: Any, by: str = "") -> dict[str, Any]:
        users = [rule.name for rule in self.engine.rules.values()
                 if rule.configuration == action_id]
        if users:
            return _refused(RuleError(f"the rule {users[0]!r} runs this action configuration"))
        return await self._change(
            lambda: self.store.remove_action(_number(action_id, "action configuration")),
            f"action configuration {action_id} removed", by)

    async def list_recipients(self) -> dict[str, Any]:
        found = await asyncio.to_thread(self.store.recipients)
        listed = []
        for recipient_id, recipient in found.items():
            shown = recipient.to_dict()
            password = shown.pop("password", None)
            listed.append({"id": recipient_id, **shown, **(
                {} if password is None else {"password_set": bool(password)})})
        return {"ok": True, "recipients": listed}

    async def add_recipient(self, recipient: Any, by: str = "") -> dict[str, Any]:
        try:
            checked = kinds.from_dict(recipient if isinstance(recipient, dict) else {})
            added = await asyncio.to_thread(self.store.add_recipient, checked)
        except (kinds.InvalidRecipient, RuleError) as exc:
            return _refused(exc)
        log.info("recipient %r added by %s", checked.name, by or "the device")
        return {"ok": True, "id": added}

    async def remove_recipient(self, recipient_id: Any, by: str = "") -> dict[str, Any]:
        actions = await asyncio.to_thread(self.store.actions)
        users = [f"the {what} {user.name!r}" for what, found in (
            ("rule", self.engine.rules), ("action configuration", actions))
            for user in found.values() if user.action.recipient == recipient_id]
        if users:
            return _refused(RuleError(f"{users[0]} uses this recipient"))
        try:
            await asyncio.to_thread(self.store.remove_recipient, _number(recipient_id, "recipient"))
        except RuleError as exc:
            return _refused(exc)
        log.info("recipient %s removed by %s", recipient_id, by or "the device")
        return {"ok": True}

    async def test_recipient(self, recipient: Any) -> dict[str, Any]:
        """The Test button: a recipient as entered (not kept yet) or a kept one by id."""
        try:
            if isinstance(recipient, dict):
                checked: kinds.Recipient | None = kinds.from_dict(recipient)
            else:
                checked = await asyncio.to_thread(self.store.recipient,
                                                  _number(recipient, "recipient"))
            if checked is None:
                raise RuleError(f"there is no recipient {recipient!r:.40}")
            await asyncio.to_thread(kinds.test, checked)
        except (kinds.InvalidRecipient, kinds.DeliveryFailed, RuleError) as exc:
            return _refused(exc)
        return {"ok": True}

    async def deliver_notifications(self) -> dict[str, Any]:
        """Start a pass and answer at once: a pass meeting slow recipients can
        take minutes, and the caller (a Celery task) must not hold up the
        worker's stop. The outbox logs each delivery and failure."""
        self._spawn(asyncio.to_thread(self.outbox.deliver_due, time.time()))
        return {"ok": True}

    async def list_schedules(self) -> dict[str, Any]:
        return {"ok": True, "schedules": [
            {"id": schedule_id, "name": name, "ical": schedule.to_ical(),
             "kind": "interval" if isinstance(schedule, Interval) else "pulse",
             "builtin": not schedule_id.isdigit()}
            for schedule_id, (name, schedule) in self.schedules.items()]}

    async def add_schedule(self, name: Any, ical: Any, by: str = "") -> dict[str, Any]:
        if not isinstance(name, str) or not isinstance(ical, str):
            return _refused(RuleError("a schedule has a name and an iCalendar text"))
        return await self._change(lambda: self.store.add_schedule(name, ical),
                                  f"schedule {name!r} added", by, self._reload_schedules)

    async def remove_schedule(self, schedule_id: Any, by: str = "") -> dict[str, Any]:
        users = [rule.name for rule in self.engine.rules.values()
                 if any(c.source == schedule_id and c.topic in (
                     contract.SCHEDULE.topic, contract.PULSE.topic)
                     for c in (rule.trigger, *rule.conditions))]
        if users:
            return _refused(RuleError(f"the rule {users[0]!r} uses this schedule"))
        return await self._change(lambda: self.store.remove_schedule(str(schedule_id)),
                                  f"schedule {schedule_id} removed", by, self._reload_schedules)

    async def set_virtual_input(self, port: int, active: bool,
                                seconds: float | None = None) -> dict[str, Any]:
        """VAPIX's virtual inputs: activate (for `seconds`, if given) or deactivate."""
        if isinstance(port, bool) or not isinstance(port, int) or port not in \
                contract.VIRTUAL_INPUTS:
            return _refused(ValueError(f"port: 1 to {contract.VIRTUAL_INPUTS[-1]}"))
        if not isinstance(active, bool):
            return _refused(ValueError("active: true or false"))
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(
                seconds, int | float) or not 0 < seconds <= 24 * 3600):
            return _refused(ValueError("duration: more than 0 and at most a day, in seconds"))
        topic = contract.VIRTUAL_INPUT.topic
        changed = self.engine.states.get((topic, port)) != bool(active)
        timer = self.timers.pop(port, None)
        if timer is not None:
            timer.cancel()
        await self.engine.occur(topic, port, bool(active))
        if active and seconds is not None:
            self.timers[port] = asyncio.get_running_loop().call_later(
                seconds, self._spawn, self.set_virtual_input(port, False))
        await self._publish_runs()
        return {"ok": True, "changed": changed}

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def set_manual_trigger(self, active: bool, by: str = "") -> dict[str, Any]:
        if not isinstance(active, bool):
            return _refused(ValueError("active: true or false"))
        topic = contract.MANUAL_TRIGGER.topic
        changed = self.engine.states.get((topic, 1)) != bool(active)
        await self.engine.occur(topic, 1, bool(active))
        if changed:
            log.info("manual trigger %s by %s", "on" if active else "off", by or "the device")
        await self._publish_runs()
        return {"ok": True, "changed": changed}

    async def instances(self) -> dict[str, Any]:
        return {"ok": True, "instances": [t.to_dict() for t in contract.TYPES.values()]}

    async def states(self) -> dict[str, Any]:
        return {"ok": True, "states": [
            {"topic": topic, "source": source, "value": value}
            for (topic, source), value in self.engine.states.items()]}

    async def ping(self) -> dict[str, Any]:
        return {"ok": True}
