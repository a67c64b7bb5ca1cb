"""The MQTT service (herald-mqtt): keeps a connection to the broker as the
MQTT settings say (none while they say off, or cannot be honoured), makes it
again when they change, publishes the device's events under the topic prefix
and its status for the System > MQTT page.

A daemon of its own rather than a thread in herald-core: paho's network loop
and a broker that hangs or floods stay away from audio, and the process is
small (paho is pure Python, and nothing of the audio stack is imported)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any

from herald.bus import PING, AsyncBus
from herald.environment import Environment
from herald.events import contract as events
from herald.mqtt import contract
from herald.mqtt.client import Connection
from herald.mqtt.messages import event_payload, event_topic, matches, retained
from herald.mqtt.outbox import Outbox
from herald.mqtt.settings import ClientSettings, read_settings, topic_problem
from herald.params import ParamStore
from herald.params import contract as params_contract
from herald.params.follow import changed_names
from herald.system.identity import this_device

log = logging.getLogger(__name__)

OUTBOX_FILE = "mqtt-outbox.sqlite3"  # on the data partition: it outlives a restart


PUBLICATION = "MQTT.Publication."  # what is published: no new connection for it
FROM_BROKER = (events.MQTT_MESSAGE.topic, events.MQTT_STATE.topic)


def message_problem(topic: Any, payload: Any, qos: Any, retain: Any) -> str:
    """Why a message cannot be published as asked ("" when it can)."""
    if problem := topic_problem(topic):
        return problem
    if not isinstance(payload, str) or len(payload) > events.MAX_MESSAGE:
        return f"the payload is text of at most {events.MAX_MESSAGE} characters"
    if isinstance(qos, bool) or qos not in (0, 1, 2):
        return "QoS is 0, 1 or 2"
    return "" if isinstance(retain, bool) else "retain is true or false"


def is_connection_setting(name: str) -> bool:
    return name.startswith("MQTT.") and not name.startswith(PUBLICATION)


class MqttService:
    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore) -> None:
        self.bus, self.environment, self.params = bus, environment, params
        self.serial = this_device().serial
        self.outbox = Outbox(environment.data_dir / OUTBOX_FILE, limit=1000)
        self.connection: Connection | None = None
        self.settings: ClientSettings | None = None
        self.statuses: asyncio.Queue[contract.MqttStatus] = asyncio.Queue()
        self.messages: asyncio.Queue[contract.MqttMessage] = asyncio.Queue()
        self.tasks: list[asyncio.Task] = []

    @property
    def handlers(self) -> dict[str, Any]:
        return {PING: self.ping, contract.PUBLISH: self.publish_message}

    async def publish_message(self, topic: Any, payload: Any, qos: Any = 0,
                              retain: Any = False) -> dict[str, Any]:
        """A rule's "MQTT publish": checked here, whoever asks."""
        problem = message_problem(topic, payload, qos, retain) or (
            "the MQTT client is off or cannot connect as set (System > MQTT)"
            if self.connection is None else "")
        if problem:
            return {"ok": False, "message": problem}
        assert self.connection is not None
        try:
            self.connection.publish(topic, payload.encode(), qos, retain)
        except (ValueError, sqlite3.Error) as exc:
            return {"ok": False, "message": f"the message could not be published: {exc}"}
        return {"ok": True}

    async def ping(self) -> dict[str, Any]:
        return {"ok": True}

    async def start(self) -> None:
        changes = await self.bus.subscribe(params_contract.CHANGED, events.NOTIFY)
        self.tasks = [asyncio.create_task(self._report(), name="mqtt status"),
                      asyncio.create_task(self._pass_on(), name="mqtt messages")]
        await self.configure()
        self.tasks.append(asyncio.create_task(self._follow(changes), name="mqtt bus"))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self._disconnect()
        self.outbox.close()

    async def _disconnect(self) -> None:
        if self.connection is not None:
            await asyncio.to_thread(self.connection.stop)
            self.connection = None

    async def configure(self) -> None:
        """The connection the settings ask for (none while MQTT is off)."""
        await self._disconnect()
        settings = self.settings = self._read_settings()
        self.outbox.limit = settings.max_queued
        if not settings.enabled:
            log.info("MQTT: the client is off")
            self._put(contract.MqttStatus(state=contract.OFF, queued=self.outbox.count()))
            return
        if settings.problems:
            reason = " ".join(settings.problems)
            log.error("MQTT: the client stays off: %s", reason)
            self._put(contract.MqttStatus(state=contract.DISCONNECTED, broker=settings.broker,
                                          client_id=settings.client_id, reason=reason,
                                          queued=self.outbox.count()))
            return
        loop = asyncio.get_running_loop()
        self.connection = Connection(
            settings, self.outbox,
            lambda status: loop.call_soon_threadsafe(self._put, status),
            lambda message: loop.call_soon_threadsafe(self.messages.put_nowait, message))
        self.connection.start()

    def _read_settings(self) -> ClientSettings:
        return read_settings(self.params.snapshot(), self.serial, self.environment.certs_dir)

    def _put(self, status: contract.MqttStatus) -> None:
        self.statuses.put_nowait(status)

    async def _report(self) -> None:
        """Each status on the bus, in the order the connection made them."""
        while True:
            status = await self.statuses.get()
            await self.bus.set_state(contract.STATUS, status.to_dict())

    async def _pass_on(self) -> None:
        """Each message from the subscriptions on the bus, in the order it came."""
        while True:
            message = await self.messages.get()
            await self.bus.publish(contract.MESSAGE, message=message.to_dict())

    async def _follow(self, messages: Any) -> None:
        try:
            async for event in messages:
                if event.topic == events.NOTIFY:
                    try:
                        notification = events.Notification.from_dict(event.data["notification"])
                    except (KeyError, TypeError, ValueError) as exc:
                        log.warning("MQTT: an event the client cannot read: %s", exc)
                        continue
                    self.publish(notification)
                    continue
                names = changed_names(event)
                if any(is_connection_setting(name) for name in names):
                    log.info("MQTT: the settings changed: the client connects again")
                    await self.configure()
                elif any(name.startswith(PUBLICATION) for name in names):
                    self.settings = self._read_settings()  # the events after this follow it
        finally:
            await messages.close()

    def publish(self, notification: events.Notification) -> None:
        """An event, as MQTT.Publication says (initial states are not events; nor
        are messages from the broker: with a subscription to "#" each would come
        back as a new message, for ever)."""
        settings = self.settings
        if (self.connection is None or settings is None or notification.initial
                or notification.topic in FROM_BROKER
                or not matches(notification, settings.publication)):
            return
        publication = settings.publication
        topic = event_topic(notification, publication)
        try:
            self.connection.publish(topic, event_payload(notification, publication, self.serial),
                                    publication.qos, retained(notification, publication))
        except (ValueError, sqlite3.Error) as exc:  # one event lost, not the service
            log.error("MQTT: could not publish %s: %s", topic, exc)
