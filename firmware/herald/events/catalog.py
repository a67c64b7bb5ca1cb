"""The event types this device has, named as AXIS devices name them, so VAPIX
clients (the `axis` library, Home Assistant) recognise them.

Each type has a topic, a name people read, whether it holds a state (a
virtual input is active until deactivated) or only happens (a pulse), the
item that tells its instances apart (its source: a port, a channel, a
schedule) and the item that carries its state or facts (its data). Rules
refer to them by topic; where AXIS has no topic for a fact (live audio), the
topic is Herald's own, in AXIS's namespace and style.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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
    Item("active", "bool", (False, True)), Item("port", "int", tuple(range(1, 33))))
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

TYPES: dict[str, EventType] = {t.topic: t for t in (
    VIRTUAL_INPUT, MANUAL_TRIGGER, SOUND_LEVEL, CLIP_PLAYING, LIVE_AUDIO, SCHEDULE, PULSE)}
