"""The events service's contract on the bus (herald-core runs it beside audio,
so a rule's "play clip" reaches the mixer without a hop).

Calls to SERVICE; each answers {"ok": True, ...} or {"ok": False, "message"}
with a message a page or a VAPIX reply shows as it is:
    LIST_RULES()                    -> "rules": [{"id", **rule, "last_run", "error"}]
    ADD_RULE(rule, by)              -> "id"    (rule: the dict form of rules.Rule; with
                                    a "configuration", that action configuration's
                                    action is the rule's)
    UPDATE_RULE(rule_id, rule, by)  the rule keeps its id and its last run
    REMOVE_RULE(rule_id, by)
    LIST_ACTIONS()                  -> "actions": [{"id", **configuration}]
    ADD_ACTION(configuration, by)   -> "id"   (the dict form of rules.ActionConfiguration)
    REMOVE_ACTION(action_id, by)    refused while a rule runs it
    LIST_RECIPIENTS()               -> "recipients": [{"id", **recipient}], each
                                    password left out ("password_set" says whether
                                    there is one)
    ADD_RECIPIENT(recipient, by)    -> "id"   (recipient: the dict form of
                                    herald.events.recipients, its "type" first)
    REMOVE_RECIPIENT(recipient_id, by)  refused while a rule uses it
    TEST_RECIPIENT(recipient)       send the test notification now (a dict, or the
                                    id of a kept recipient); the failure's reason
    DELIVER_NOTIFICATIONS()         start a pass over the outbox in the background:
                                    what is due is tried (herald-worker's periodic
                                    task asks it; a rule's notification is tried
                                    at once as well); answers at once
    LIST_SCHEDULES()                -> "schedules": [{"id", "name", "ical", "kind":
                                    "interval" or "pulse", "builtin"}]
    ADD_SCHEDULE(name, ical, by)    -> "id"   (ical: schedule.Schedule's iCalendar text)
    REMOVE_SCHEDULE(schedule_id, by)  refused while a rule uses it
    SET_VIRTUAL_INPUT(port, active, seconds=None)  -> "changed": whether the state
                                    changed (VAPIX's StateChanged); with seconds, an
                                    activation ends by itself after them
    SET_MANUAL_TRIGGER(active, by)  -> "changed"
    INSTANCES()                     -> "instances": the event types the device
                                    has (EventType dicts, below), for the pages and
                                    VAPIX GetEventInstances
    STATES()                        -> "states": each stateful instance's data now
Event NOTIFY {"notification": `Notification`}: every occurrence of an event type, in the shape
the VAPIX event stream sends (topic, source, key, data), for the websocket
stream and the MQTT bridge.
State RULES `RuleRuns`: each rule's last run and its error, for the Rules page.

The event types (EventType: VIRTUAL_INPUT, MANUAL_TRIGGER, SOUND_LEVEL, ...)
are named as AXIS devices name them, so VAPIX clients (the `axis` library,
Home Assistant) recognise them. Each has a topic, a name people read, whether
it holds a state (a virtual input is active until deactivated) or only
happens (a pulse), the item that tells its instances apart (its source: a
port, a channel, a schedule) and the item that carries its state or facts
(its data). Where AXIS has no topic for a fact (live audio), the topic is
Herald's own, in AXIS's namespace and style.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from herald.payload import Payload
from herald.recordings.contract import STORAGES
from herald.sip import contract as sip

SERVICE = "events"

LIST_RULES = "list_rules"
LIST_RECIPIENTS = "list_recipients"
ADD_RECIPIENT = "add_recipient"
REMOVE_RECIPIENT = "remove_recipient"
TEST_RECIPIENT = "test_recipient"
DELIVER_NOTIFICATIONS = "deliver_notifications"
LIST_SCHEDULES = "list_schedules"
ADD_SCHEDULE = "add_schedule"
REMOVE_SCHEDULE = "remove_schedule"
ADD_RULE = "add_rule"
UPDATE_RULE = "update_rule"
REMOVE_RULE = "remove_rule"
LIST_ACTIONS = "list_actions"
ADD_ACTION = "add_action"
REMOVE_ACTION = "remove_action"
SET_VIRTUAL_INPUT = "set_virtual_input"
SET_MANUAL_TRIGGER = "set_manual_trigger"
INSTANCES = "instances"
STATES = "states"

NOTIFY = "events.notify"
RULES = "events.rules"

MAX_RULES = 256  # the manual's limit
MAX_ACTIONS = MAX_RULES  # action configurations: one for each rule at most
MAX_ACTION_PARAMETERS = 32  # of an action configuration, as VAPIX gave them
MAX_PARAMETER = 1024  # characters in one of them
MAX_SCHEDULES = 64  # of the device's own, beside the four AXIS devices ship
MAX_RECIPIENTS = 20  # the manual's limit
VIRTUAL_INPUTS = range(1, 33)  # VAPIX's virtual input ports

# What a rule may hold (rules.Rule checks it; the pages offer no more).
MAX_NAME = 64
MAX_SOURCE = 255  # characters of an instance named by text (a schedule's id, an MQTT topic)
MAX_CONDITIONS = 8
MAX_WAIT_SECONDS = 24 * 3600
MAX_VOLUME = 100  # percent, as the manual's clip actions offer it
MAX_REPEAT = 1000
ONCE, WHILE_ACTIVE = "once", "while_active"
PLAY_CLIP, STOP_CLIP, NOTIFY_ACTION = "play_clip", "stop_clip", "notify"
RECORD = "record"  # a recording of the microphone, for as long as the rule is active
SPEAKER_TEST_ACTION = "speaker_test"  # the manual's "Run automatic speaker test"
SNMP_TRAP = "snmp_trap"  # a trap with the rule's name and message to the SNMP trap receivers
MQTT_PUBLISH = "mqtt_publish"  # a message (topic, payload, QoS, retain) through the MQTT client
LIGHT_PROFILE = "light_profile"  # a light profile started (herald.light), by its name
SIP_CALL_ACTION = "sip_call"  # the manual's "Make a SIP call": herald-sip dials an address
SIP_ANSWER = "sip_answer"  # the manual's "Answer call": herald-sip answers the ringing call
ACTIONS = (PLAY_CLIP, STOP_CLIP, NOTIFY_ACTION, RECORD, SPEAKER_TEST_ACTION, SNMP_TRAP,
           MQTT_PUBLISH, LIGHT_PROFILE, SIP_CALL_ACTION, SIP_ANSWER)
LASTING_ACTIONS = (PLAY_CLIP, RECORD, LIGHT_PROFILE)  # what can last while the rule is active
# Recipients' types (the manual's Type) and the choices of their fields;
# herald.events.recipients checks them.
RECIPIENT_TYPES = {"email": "Email", "http": "HTTP", "https": "HTTPS", "ftp": "FTP",
                   "sftp": "SFTP", "tcp": "TCP"}
ENCRYPTIONS = {"tls": "STARTTLS", "ssl": "SSL", "none": "None"}
HTTP_METHODS = ("GET", "POST")
MAX_SUBJECT = 255
MAX_MESSAGE = 4096
# What a notification's subject and message may name; each is replaced by
# the fact of the run that sends it.
PLACEHOLDERS = ("{rule}", "{event}", "{time}")


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


@dataclass(frozen=True)
class Item:
    name: str
    type: str  # "int", "bool" or "string"
    values: tuple[Any, ...] = ()  # the values it takes, when they are few


@dataclass(frozen=True)
class EventType:
    topic: str
    nice_name: str
    stateful: bool
    data: Item
    source: Item | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


VIRTUAL_INPUT = EventType(
    "tns1:Device/tnsaxis:IO/VirtualInput", "Virtual input", True,
    Item("active", "bool", (False, True)), Item("port", "int", tuple(VIRTUAL_INPUTS)))
MANUAL_TRIGGER = EventType(
    "tns1:Device/tnsaxis:IO/VirtualPort", "Manual trigger", True,
    Item("state", "bool", (False, True)), Item("port", "int", (1,)))
SOUND_LEVEL = EventType(
    "tns1:AudioSource/tnsaxis:TriggerLevel", "Sound level", True,
    Item("triggered", "bool", (False, True)), Item("channel", "int", (1,)))
CLIP_PLAYING = EventType(
    "tnsaxis:MediaClip/tnsaxis:Playing", "Audio clip playing", True,
    Item("Playing", "bool", (False, True)), Item("AudioOutput", "int", (0,)))
LIVE_AUDIO = EventType(
    "tnsaxis:AudioOutput/tnsaxis:LiveAudio", "Live audio playing", True,
    Item("active", "bool", (False, True)), Item("AudioOutput", "int", (0,)))
SCHEDULE = EventType(
    "tns1:UserAlarm/tnsaxis:Recurring/Interval", "Schedule", True,
    Item("active", "bool", (False, True)), Item("id", "string"))
PULSE = EventType(
    "tns1:UserAlarm/tnsaxis:Recurring/Pulse", "Pulse", False,
    Item("fired", "bool", (True,)), Item("id", "string"))
# A speaker test's verdict (AXIS: OK or Failed), once per test, not per calibration.
SPEAKER_TEST_PASSED, SPEAKER_TEST_FAILED = "OK", "Failed"
SPEAKER_TEST = EventType(
    "tns1:Device/tnsaxis:SpeakerTest/TestResult", "Speaker test result", False,
    Item("SpeakerTestStatus", "string", (SPEAKER_TEST_PASSED, SPEAKER_TEST_FAILED)))
# The firmware services answered the boot gate in this boot (AXIS: SystemReady).
SYSTEM_READY = EventType(
    "tns1:Device/tnsaxis:Status/SystemReady", "System ready", True,
    Item("ready", "bool", (False, True)))
# The boot gate kept a new firmware (once, on the boot that kept it). AXIS has no
# topic for it: Herald's own, beside AXIS's SystemReady.
FIRMWARE_UPGRADED = EventType(
    "tns1:Device/tnsaxis:Status/FirmwareUpgraded", "Firmware upgraded", False,
    Item("upgraded", "bool", (True,)))

# The network interfaces (herald-system): an interface without a link is lost
# (AXIS's "Network lost", per interface: false again when the link is back);
# an IP address that appears or goes away on one.
NETWORK_LOST = EventType(
    "tns1:Device/tnsaxis:Network/Lost", "Network lost", True,
    Item("lost", "bool", (False, True)), Item("interface", "string"))
ADDRESS_ADDED, ADDRESS_REMOVED = (EventType(
    f"tns1:Device/tnsaxis:Network/Address{change}", f"IP address {change.lower()}", False,
    Item("address", "string"), Item("interface", "string")) for change in ("Added", "Removed"))
# A recording runs to a storage (AXIS: its disk_id); the recordings service's.
RECORDING = EventType(
    "tnsaxis:Storage/Recording", "Recording", True,
    Item("recording", "bool", (False, True)), Item("disk_id", "string", tuple(STORAGES)))
# A message on one of the MQTT client's subscriptions (herald-mqtt): its topic is
# the instance, its payload the data; a stateful subscription's payload is the
# topic's state until the next message. Conditions name a payload, or none: any.
MQTT_MESSAGE, MQTT_STATE = (EventType(
    f"tnsaxis:MQTT/Message/{kind}", name, stateful, Item("Payload", "string"),
    Item("Topic", "string")) for kind, name, stateful in (
        ("Stateless", "MQTT message", False), ("Stateful", "MQTT state", True)))

# The board's inputs (herald-core): the control button as the device's input
# port 1, and the PIR sensor (AXIS's PIR topic, sensor 0).
CONTROL_BUTTON = EventType(
    "tns1:Device/tnsaxis:IO/Port", "Control button", True,
    Item("state", "bool", (False, True)), Item("port", "int", (1,)))
PIR = EventType(
    "tns1:Device/tnsaxis:Sensor/PIR", "PIR sensor", True,
    Item("state", "bool", (False, True)), Item("sensor", "int", (0,)))

# The SIP call's state (herald-sip): the manual's "State" condition of calls
# (its pre-announcement rules play a clip while a call is Ringing). Herald's
# own topic; the states are herald-sip's, idle first (the default).
SIP_CALL = EventType(
    "tns1:Device/tnsaxis:SIP/CallState", "Call state", True,
    Item("State", "string", (sip.IDLE, sip.RINGING, sip.CALLING, sip.ACTIVE, sip.TERMINATED)))
# A DTMF sequence the caller of a SIP call pressed (System > SIP > DTMF): its
# description is the instance (the manual's "DTMF Event ID"), its keys the data.
DTMF = EventType(
    "tns1:Device/tnsaxis:SIP/DTMF", "DTMF", False, Item("Sequence", "string"),
    Item("Description", "string"))

TYPES: dict[str, EventType] = {t.topic: t for t in (
    VIRTUAL_INPUT, MANUAL_TRIGGER, SOUND_LEVEL, CLIP_PLAYING, LIVE_AUDIO, SCHEDULE, PULSE,
    SPEAKER_TEST, SYSTEM_READY, FIRMWARE_UPGRADED, NETWORK_LOST, ADDRESS_ADDED, ADDRESS_REMOVED,
    RECORDING, MQTT_MESSAGE, MQTT_STATE, CONTROL_BUTTON, PIR, SIP_CALL, DTMF)}
