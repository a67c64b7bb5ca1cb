"""A real mosquitto for the MQTT tests, on free ports with a generated
configuration: a plain listener that wants a username and password, a TLS one
that wants a client certificate from the test CA, and a subscriber that keeps
what the broker routes to it; and a WebSocket front for it."""

from __future__ import annotations

import asyncio
import getpass
import queue
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import paho.mqtt.client as paho
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.typing import Subprotocol

from tests.conftest import wait_until

HOST = "127.0.0.1"
USER, PASSWORD = "speaker", "broker-Pa55word"


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _pem(path: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


class BrokerCa:
    """A CA that issues the broker's and the client's certificates; the files
    go to `directory` as <name>.pem and <name>.key."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = self._builder(self.name, self.key).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True).add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True).sign(self.key, hashes.SHA256())
        directory.mkdir(parents=True, exist_ok=True)
        _pem(directory / name.replace(" ", "-"), self.key, self.cert)
        self.file = (directory / name.replace(" ", "-")).with_suffix(".pem")

    def _builder(self, subject: x509.Name, key: ec.EllipticCurvePrivateKey
                 ) -> x509.CertificateBuilder:
        now = datetime.now(UTC)
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(self.name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False))

    def issue(self, name: str, server: bool) -> tuple[Path, Path]:
        """A leaf certificate (for 127.0.0.1 when `server`); its files."""
        key = ec.generate_private_key(ec.SECP256R1())
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (self._builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), key)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                   .add_extension(x509.KeyUsage(True, False, False, False, False, False, False,
                                                False, False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                       x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())), False))
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address(HOST))]), False)
        _pem(self.directory / name, key, builder.sign(self.key, hashes.SHA256()))
        return (self.directory / name).with_suffix(".pem"), (self.directory / name).with_suffix(
            ".key")


@dataclass
class Mosquitto:
    directory: Path
    ca: BrokerCa
    plain_port: int = 0
    tls_port: int = 0
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.plain_port, self.tls_port = free_tcp_port(), free_tcp_port()
        cert, key = self.ca.issue("broker", server=True)
        passwords = self.directory / "passwords"
        subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), USER, PASSWORD],
                       check=True, capture_output=True)
        (self.directory / "mosquitto.conf").write_text(
            # as whoever runs the test: mosquitto started by root drops to its own user
            f"user {getpass.getuser()}\n"
            "per_listener_settings true\npersistence false\nlog_dest stdout\nlog_type all\n"
            f"listener {self.plain_port} {HOST}\nallow_anonymous false\n"
            f"password_file {passwords}\n"
            f"listener {self.tls_port} {HOST}\ncafile {self.ca.file}\ncertfile {cert}\n"
            f"keyfile {key}\nrequire_certificate true\nuse_identity_as_username true\n")

    def start(self) -> None:
        log = open(self.directory / "mosquitto.log", "ab")  # noqa: SIM115 (the broker's)
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.directory / "mosquitto.conf")],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(lambda: self._listening(self.plain_port) and self._listening(self.tls_port),
                   what="mosquitto to listen")

    def _listening(self, port: int) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError("mosquitto exited: "
                               + (self.directory / "mosquitto.log").read_text())
        try:
            socket.create_connection((HOST, port), timeout=1).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


class Subscriber:
    """A client of the broker (plain listener) that keeps each message it gets."""

    def __init__(self, broker: Mosquitto, *topics: str) -> None:
        self.messages: queue.Queue[paho.MQTTMessage] = queue.Queue()
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="test-subscriber")
        self.client.username_pw_set(USER, PASSWORD)
        subscribed = queue.Queue()
        self.client.on_message = lambda _c, _u, message: self.messages.put(message)
        self.client.on_subscribe = lambda *_args: subscribed.put(True)
        self.client.connect(HOST, broker.plain_port)
        self.client.loop_start()
        for topic in topics:
            self.client.subscribe(topic, qos=1)
            subscribed.get(timeout=10)

    def next(self, topic: str, timeout: float = 20.0) -> paho.MQTTMessage:
        """The next message on `topic` (others on the way are passed by)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if message.topic == topic:
                return message

    def next_any(self, timeout: float = 20.0) -> paho.MQTTMessage:
        """The next message, whatever its topic."""
        return self.messages.get(timeout=timeout)

    def send(self, topic: str, payload: str, retain: bool = False) -> None:
        """Publish at QoS 1, as another device would; returns once the broker has it."""
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class WebSocketBridge:
    """MQTT over WebSocket (subprotocol "mqtt", at any path) in front of the
    broker's plain listener, with TLS when given a context: this mosquitto is
    built without websockets. Each WebSocket message's bytes go to the broker
    as they are, and the broker's bytes come back as binary messages."""

    def __init__(self, broker: Mosquitto, tls: ssl.SSLContext | None = None) -> None:
        self.broker, self.port = broker, free_tcp_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._serve(tls), self.loop).result(10)

    async def _serve(self, tls: ssl.SSLContext | None) -> Server:
        return await serve(self._relay, HOST, self.port, subprotocols=[Subprotocol("mqtt")],
                           ssl=tls)

    async def _relay(self, websocket: ServerConnection) -> None:
        reader, writer = await asyncio.open_connection(HOST, self.broker.plain_port)

        async def to_broker() -> None:
            async for message in websocket:
                writer.write(message if isinstance(message, bytes) else message.encode())
                await writer.drain()

        async def to_client() -> None:
            while data := await reader.read(65536):
                await websocket.send(data)

        tasks = [asyncio.create_task(to_broker()), asyncio.create_task(to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            writer.close()

    def close(self) -> None:
        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()
        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
