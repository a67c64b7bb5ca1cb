"""The MQTT settings (MQTT.* parameters) as the client uses them, checked once
here: a setting the client cannot honour keeps it off, with the problem in
words for the System > MQTT page and the log, never a crash."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from herald.mqtt.contract import DEFAULT_PORTS, MAX_TOPIC, STATEFUL, SUBSCRIPTIONS
from herald.params import Snapshot

SECURE = ("ssl", "wss")
WILDCARDS = set("+#")  # in a topic filter, never in a topic published to


def topic_problem(topic: Any) -> str:
    """Why `topic` cannot be published to ("" when it can)."""
    if not isinstance(topic, str) or not 0 < len(topic) <= MAX_TOPIC or any(
            ord(c) < 32 for c in topic):
        return f"a topic is 1 to {MAX_TOPIC} characters, no control characters"
    if WILDCARDS & set(topic):
        return f"the topic {topic!r:.80} holds + or #, which only subscriptions use"
    return ""


@dataclass(frozen=True)
class Message:
    """The connect message or the last will."""

    topic: str
    payload: str  # "" : AXIS's default, {serialNumber, connected, description, timestamp}
    retain: bool
    qos: int


@dataclass(frozen=True)
class Publication:
    enabled: bool
    conditions: tuple[str, ...]  # event topics (prefixes); empty: every event
    prefix: str
    include_topic: bool
    include_namespaces: bool
    include_serial: bool
    retain: str  # "none", "property" (stateful events only), "all"
    qos: int


@dataclass(frozen=True)
class Subscription:
    """A topic filter to subscribe to (the device topic prefix before it when asked)."""

    filter: str
    qos: int
    stateful: bool


@dataclass(frozen=True)
class ClientSettings:
    enabled: bool
    host: str
    port: int
    protocol: str
    client_id: str
    username: str
    password: str
    keep_alive: int
    clean_session: bool
    ca_file: Path | None
    cert_file: Path | None
    key_file: Path | None
    validate_server: bool
    prefix: str
    max_queued: int
    serial: str
    connect: Message | None
    will: Message | None
    publication: Publication
    subscriptions: tuple[Subscription, ...]
    problems: tuple[str, ...]

    @property
    def broker(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}"

    @property
    def usable(self) -> bool:
        return self.enabled and not self.problems


def _message(snapshot: Snapshot, group: str, prefix: str) -> Message | None:
    if snapshot.get(f"MQTT.{group}.Enabled") != "yes":
        return None
    return Message(topic=snapshot.get(f"MQTT.{group}.Topic") or f"{prefix}/event/connection",
                   payload=snapshot.get(f"MQTT.{group}.Payload"),
                   retain=snapshot.get(f"MQTT.{group}.Retain") == "yes",
                   qos=int(snapshot.get(f"MQTT.{group}.QoS")))


def _certificate(snapshot: Snapshot, name: str, certs: Path,
                 problems: list[str]) -> Path | None:
    file = snapshot.get(f"MQTT.Client.{name}")
    if not file:
        return None
    path = certs / file
    if "/" in file or file.startswith(".") or not path.is_file():
        problems.append(f"The {name} file {file!r} is not in the certificate store.")
        return None
    return path


def _subscriptions(snapshot: Snapshot, prefix: str) -> tuple[Subscription, ...]:
    made = sorted(i for i in snapshot.instances if i.startswith(SUBSCRIPTIONS + "."))
    return tuple(Subscription(
        filter=(f"{prefix}/" if snapshot.get(f"{group}.UseDevicePrefix") == "yes" else "")
        + snapshot.get(f"{group}.Filter"),
        qos=int(snapshot.get(f"{group}.QoS")),
        stateful=snapshot.get(f"{group}.Type") == STATEFUL) for group in made)


def read_settings(snapshot: Snapshot, serial: str, certs: Path) -> ClientSettings:
    """The client's settings from the parameters; `certs` holds the
    certificate files the settings name."""
    def yes(name: str) -> bool:
        return snapshot.get(name) == "yes"

    problems: list[str] = []
    enabled = yes("MQTT.Client.Enabled")
    host = snapshot.get("MQTT.Client.Host")
    if enabled and not host:
        problems.append("No broker host is set.")
    protocol = snapshot.get("MQTT.Client.Protocol")
    port = int(snapshot.get("MQTT.Client.Port")) or DEFAULT_PORTS[protocol]
    files = {name: _certificate(snapshot, name, certs, problems)
             for name in ("CACertificate", "ClientCertificate", "ClientKey")}
    if (files["ClientCertificate"] is None) != (files["ClientKey"] is None):
        problems.append("A client certificate needs its key, and a key its certificate.")
    if protocol not in SECURE and any(files.values()):
        problems.append(f"Certificates need SSL or WebSocket over TLS, not {protocol}.")
    prefix = snapshot.get("MQTT.Client.TopicPrefix") or f"axis/{serial}"
    custom = snapshot.get("MQTT.Publication.CustomPrefix")
    conditions = snapshot.get("MQTT.Publication.Conditions")
    publication = Publication(
        enabled=yes("MQTT.Publication.Enabled"),
        conditions=tuple(c.strip() for c in conditions.split(",") if c.strip()),
        prefix=prefix if yes("MQTT.Publication.UseDefaultPrefix") or not custom else custom,
        include_topic=yes("MQTT.Publication.IncludeTopicName"),
        include_namespaces=yes("MQTT.Publication.IncludeTopicNamespaces"),
        include_serial=yes("MQTT.Publication.IncludeSerialNumber"),
        retain=snapshot.get("MQTT.Publication.Retain"),
        qos=int(snapshot.get("MQTT.Publication.QoS")))
    connect, will = (_message(snapshot, group, prefix) for group in ("ConnectMessage", "LastWill"))
    for what, topic in (("device topic prefix", prefix), ("custom topic prefix", custom),
                        ("connect message topic", connect.topic if connect else ""),
                        ("last will topic", will.topic if will else "")):
        if WILDCARDS & set(topic):
            problems.append(f"The {what} {topic!r} holds + or #, which only subscriptions use.")
    return ClientSettings(
        enabled=enabled, host=host, port=port, protocol=protocol,
        client_id=snapshot.get("MQTT.Client.ClientID") or serial,
        username=snapshot.get("MQTT.Client.Username"),
        password=snapshot.get("MQTT.Client.Password"),
        keep_alive=int(snapshot.get("MQTT.Client.KeepAlive")),
        clean_session=yes("MQTT.Client.CleanSession"),
        ca_file=files["CACertificate"], cert_file=files["ClientCertificate"],
        key_file=files["ClientKey"], validate_server=yes("MQTT.Client.ValidateServer"),
        prefix=prefix, max_queued=int(snapshot.get("MQTT.Client.MaxQueued")),
        serial=serial,
        connect=connect, will=will,
        publication=publication, subscriptions=_subscriptions(snapshot, prefix),
        problems=tuple(problems))
