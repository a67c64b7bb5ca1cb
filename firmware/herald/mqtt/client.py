"""One connection to the broker as the settings ask, kept in a thread of its
own (paho's network loop), reconnecting until stopped. Every QoS 1 and 2
message goes through the outbox: it leaves the outbox when the broker
acknowledges it, and what waits is sent again, oldest first, on each new
connection; a fresh paho client per connection keeps paho's own queue from
sending a message twice. The subscriptions are made again on each connection
(a clean session forgets them); their messages go to `receive`."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from herald.mqtt import contract
from herald.mqtt.messages import connection_payload
from herald.mqtt.outbox import Outbox, Queued
from herald.mqtt.settings import SECURE, ClientSettings

log = logging.getLogger(__name__)

RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)  # between attempts, the last one repeated
LOOP_SECONDS = 0.5  # how soon a stop is noticed
LOST = "The connection was lost; connecting again."


def failure(exc: OSError, settings: ClientSettings) -> str:
    """Why a connection attempt failed, in words a person acts on."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"The broker's certificate was not accepted: {exc.verify_message}."
    if isinstance(exc, ssl.SSLError):
        return f"The TLS handshake with {where} failed ({exc.reason or exc})."
    if isinstance(exc, socket.gaierror):
        return f"The broker's host name {settings.host} is not known."
    if isinstance(exc, paho.WebsocketConnectionError):
        return f"The WebSocket handshake with {where} failed ({exc})."
    if isinstance(exc, ConnectionRefusedError):
        return f"The broker at {where} is unreachable: nothing accepts connections there."
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return (f"The broker at {where} closed the connection"
                + (" (it may want a client certificate)." if settings.protocol in SECURE
                   else "."))
    return f"The broker at {where} is unreachable ({exc.strerror or exc})."


class Connection:
    def __init__(self, settings: ClientSettings, outbox: Outbox,
                 report: Callable[[contract.MqttStatus], None],
                 receive: Callable[[contract.MqttMessage], None]) -> None:
        self.settings, self.outbox, self._report = settings, outbox, report
        self._receive = receive
        self._stop = threading.Event()
        self._lock = threading.Lock()  # a publication against the resend on connect
        self._client: paho.Client | None = None
        self._connected = False
        # Sent and not yet acknowledged: paho's record of each, the outbox's id.
        self._pending: list[tuple[paho.MQTTMessageInfo, int]] = []
        self._refusal = ""  # the broker's answer to the last CONNECT, when it refused
        self._state = (contract.CONNECTING, "")  # as last reported, with its reason
        self._thread = threading.Thread(target=self._run, name="mqtt", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Disconnect cleanly: the broker does not publish the last will."""
        self._stop.set()
        self._thread.join()

    def publish(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        """QoS 0 is sent only while connected; QoS 1 and 2 wait in the outbox."""
        with self._lock:
            if qos == 0:
                if self._connected and self._client is not None:
                    self._client.publish(topic, payload, 0, retain)
                return
            queued = self.outbox.put(topic, payload, qos, retain)
            if self._connected:
                self._send(queued)
            else:
                self._status(*self._state)  # one more waiting

    def _send(self, queued: Queued) -> None:
        assert self._client is not None
        info = self._client.publish(queued.topic, queued.payload, queued.qos, queued.retain)
        self._pending.append((info, queued.id))

    def _forget_acknowledged(self) -> None:
        """Out of the outbox with what the broker acknowledged (paho's thread,
        between network rounds: never inside paho's callbacks, which hold its locks)."""
        with self._lock:
            done, waiting = [], []
            for entry in self._pending:  # each asked once: an answer may come meanwhile
                (done if entry[0].is_published() else waiting).append(entry)
            self._pending = waiting
        for _info, message_id in done:
            self.outbox.remove(message_id)
        if done:
            self._status(*self._state)  # fewer waiting

    def _status(self, state: str, reason: str = "") -> None:
        self._state = (state, reason)
        self._report(contract.MqttStatus(
            state=state, broker=self.settings.broker, client_id=self.settings.client_id,
            reason=reason, queued=self.outbox.count()))

    def _make_client(self) -> paho.Client:
        s = self.settings
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=s.client_id,
                             clean_session=s.clean_session,
                             transport="websockets" if s.protocol in ("ws", "wss") else "tcp",
                             reconnect_on_failure=False)
        client.max_queued_messages_set(0)
        if s.username:
            client.username_pw_set(s.username, s.password or None)
        if s.protocol in SECURE:
            client.tls_set(ca_certs=str(s.ca_file) if s.ca_file else None,
                           certfile=str(s.cert_file) if s.cert_file else None,
                           keyfile=str(s.key_file) if s.key_file else None,
                           cert_reqs=ssl.CERT_REQUIRED if s.validate_server else ssl.CERT_NONE)
            client.tls_insecure_set(not s.validate_server)
        if s.will is not None:
            client.will_set(s.will.topic, connection_payload(s.will, s.serial, False),
                            s.will.qos, s.will.retain)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        return client

    def _on_message(self, _client: paho.Client, _userdata: Any,
                    message: paho.MQTTMessage) -> None:
        """A message on a subscription; stateful when a stateful subscription's
        filter matches its topic."""
        stateful = any(s.stateful and paho.topic_matches_sub(s.filter, message.topic)
                       for s in self.settings.subscriptions)
        text = message.payload.decode("utf-8", errors="replace")[:contract.MAX_PAYLOAD]
        self._receive(contract.MqttMessage(message.topic, text, stateful))

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any,
                    reason: Any, _properties: Any) -> None:
        if reason.is_failure:
            message = (f"The broker refused the connection: {reason}"
                       + (" (check the username and password)."
                          if str(reason) in ("Bad user name or password", "Not authorized")
                          else "."))
            self._refusal = message
            return
        message = self.settings.connect
        if message is not None:
            client.publish(message.topic,
                           connection_payload(message, self.settings.serial, True),
                           message.qos, message.retain)
        for subscription in self.settings.subscriptions:
            client.subscribe(subscription.filter, subscription.qos)
        with self._lock:
            self._pending.clear()
            for queued in self.outbox.waiting():
                self._send(queued)
            self._connected = True
        log.info("MQTT: connected to %s as %s", self.settings.broker, self.settings.client_id)
        self._status(contract.CONNECTED)

    def _run(self) -> None:
        attempt, said = 0, ""
        while not self._stop.is_set():
            reason = self._session()
            with self._lock:
                self._connected = False
            if self._stop.is_set():
                break
            if reason != said:  # the log says each new reason once, not each attempt
                log.error("MQTT: %s", reason)
                said = reason
            self._status(contract.DISCONNECTED, reason)
            if reason == LOST:  # it was connected: start again with the shortest wait
                attempt = 0
            self._stop.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    def _session(self) -> str:
        """One connection, until it ends; why it ended ("" when stopped)."""
        self._status(contract.CONNECTING)
        self._refusal = ""
        try:
            client = self._client = self._make_client()
        except (OSError, ValueError) as exc:  # ssl.SSLError: a file that is no PEM, a bad key
            return f"The certificate or key files could not be used ({exc})."
        try:
            client.connect(self.settings.host, self.settings.port, self.settings.keep_alive)
        except OSError as exc:
            return failure(exc, self.settings)
        code = paho.MQTTErrorCode.MQTT_ERR_SUCCESS
        while not self._stop.is_set() and code == paho.MQTTErrorCode.MQTT_ERR_SUCCESS:
            code = client.loop(LOOP_SECONDS)
            self._forget_acknowledged()
        if self._stop.is_set():
            client.disconnect()
            client.loop(LOOP_SECONDS)
            return ""
        if code == paho.MQTTErrorCode.MQTT_ERR_CONN_REFUSED:
            return self._refusal or "The broker refused the connection."
        was_connected = self._connected
        return (LOST if was_connected
                else f"The broker closed the connection ({paho.error_string(code)}).")
