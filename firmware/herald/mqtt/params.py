"""MQTT.*: the manual's System > MQTT settings (client, connect message, last
will, event publication). Certificates are named by their file in the
device's certificate folder (the data partition's certs/)."""

from dataclasses import dataclass

from herald.access import Level
from herald.mqtt.contract import MAX_SUBSCRIPTIONS, STATEFUL, STATELESS
from herald.params.tree import Group, Param, Template
from herald.params.types import Bool, Enum, Host, Int, Password, String

PROTOCOLS = ("tcp", "ssl", "ws", "wss")
QOS = Enum(("0", "1", "2"))


@dataclass(frozen=True)
class TopicFilter(String):
    """An MQTT topic filter: + stands for a whole level, # for the rest, last."""

    def parse(self, raw: str) -> str:
        levels = super().parse(raw).split("/")
        for number, level in enumerate(levels, 1):
            if ("+" in level or "#" in level) and level not in ("+", "#"):
                raise ValueError("+ and # stand alone in a level of the filter")
            if level == "#" and number != len(levels):
                raise ValueError("# may only be the last level of the filter")
        return raw


def _message(name: str, nice: str) -> Group:
    """The connect message and the last will share their fields."""
    return Group(name, (
        Param("Enabled", Bool(), "yes", nice),
        Param("Topic", String(255), "", f"{nice} topic (empty: <prefix>/event/connection)"),
        Param("Payload", String(1024), "", f"{nice} payload (empty: the default)"),
        Param("Retain", Bool(), "yes"),
        Param("QoS", QOS, "1"),
    ))


GROUPS = [
    Group("MQTT", (
        Group("Client", (
            Param("Enabled", Bool(), "no", "Connect"),
            Param("Host", Host(), "", "Host"),
            Param("Port", Int(0, 65535), "0", "Port (0: the protocol's default)"),
            Param("Protocol", Enum(PROTOCOLS), "tcp", "Protocol"),
            Param("ClientID", String(128), "", "Client ID (empty: the serial number)"),
            Param("Username", String(128), "", "Username"),
            Param("Password", Password(128), "", "Password"),
            Param("KeepAlive", Int(5, 65535), "60", "Keep alive interval (s)"),
            Param("CleanSession", Bool(), "yes", "Clean session"),
            Param("CACertificate", String(128), "", "CA certificate (file in certs/)"),
            Param("ClientCertificate", String(128), "", "Client certificate (file in certs/)"),
            Param("ClientKey", String(128), "", "Client key (file in certs/)"),
            Param("ValidateServer", Bool(), "yes", "Validate server certificate"),
            Param("TopicPrefix", String(128), "", "Device topic prefix "
                  "(empty: axis/<serial number>)"),
            Param("MaxQueued", Int(0, 100000), "1000",
                  "QoS 1 and 2 messages kept while the broker is away"),
        )),
        _message("ConnectMessage", "Connect message"),
        _message("LastWill", "Last Will and Testament"),
        Group("Publication", (
            Param("Enabled", Bool(), "no", "Publish events"),
            Param("Conditions", String(1024), "",
                  "Event topics to publish, comma separated (empty: all)"),
            Param("UseDefaultPrefix", Bool(), "yes", "Use default topic prefix"),
            Param("CustomPrefix", String(128), "", "Custom topic prefix"),
            Param("IncludeTopicName", Bool(), "yes", "Include topic name"),
            Param("IncludeTopicNamespaces", Bool(), "no", "Include topic namespaces"),
            Param("IncludeSerialNumber", Bool(), "yes", "Include serial number"),
            Param("Retain", Enum(("none", "property", "all")), "none", "Retain"),
            Param("QoS", QOS, "0", "QoS"),
        )),
        Group("Subscription", (
            Template("mqttsubscription", "S", (
                Param("Filter", TopicFilter(255, 1), "#", "Subscription filter"),
                Param("UseDevicePrefix", Bool(), "no", "Use device topic prefix"),
                Param("Type", Enum((STATELESS, STATEFUL)), STATELESS, "Subscription type"),
                Param("QoS", QOS, "0", "QoS"),
            ), max_groups=MAX_SUBSCRIPTIONS, nice_name="MQTT subscription"),
        )),
    ), read=Level.ADMIN, write=Level.ADMIN),
]
