"""The MQTT client against a real mosquitto: connecting as the settings say
(plain with a password, TLS with a client certificate, WebSocket with and
without TLS), the connect message
and last will, and a clear status when it cannot connect."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest

from tests.mqtt.broker import (
    HOST,
    PASSWORD,
    USER,
    BrokerCa,
    Mosquitto,
    WebSocketBridge,
    free_tcp_port,
)
from tests.mqtt.device import PREFIX, SERIAL, plain

CONNECTION = f"{PREFIX}/event/connection"


def test_connect_message_then_last_will_when_the_client_dies(broker, subscribe, make_client):
    watcher = subscribe(CONNECTION)
    client = make_client(plain(broker))
    status = client.wait_for("connected")
    assert status["broker"] == f"tcp://{HOST}:{broker.plain_port}"
    assert status["client_id"] == SERIAL
    hello = watcher.next(CONNECTION)
    assert json.loads(hello.payload) | {"timestamp": 0} == {
        "serialNumber": SERIAL, "connected": True, "description": "Connected", "timestamp": 0}
    assert hello.qos == 1

    client.kill()
    will = json.loads(watcher.next(CONNECTION).payload)
    assert will["connected"] is False and will["serialNumber"] == SERIAL


def test_own_topics_and_payloads(broker, subscribe, make_client):
    watcher = subscribe("site/#")
    client = make_client(plain(broker, **{
        "MQTT.Client.ClientID": "hall-speaker", "MQTT.Client.TopicPrefix": "site/hall",
        "MQTT.ConnectMessage.Payload": "online", "MQTT.LastWill.Topic": "site/gone",
        "MQTT.LastWill.Payload": "offline"}))
    assert client.wait_for("connected")["client_id"] == "hall-speaker"
    assert watcher.next("site/hall/event/connection").payload == b"online"
    client.kill()
    assert watcher.next("site/gone").payload == b"offline"


def test_wrong_password_is_refused_and_the_password_never_logged(broker, make_client):
    client = make_client(plain(broker, **{"MQTT.Client.Password": "not-the-Pa55word"}))
    status = client.wait_for("disconnected", "refused")
    assert "username and password" in status["reason"]
    assert "not-the-Pa55word" not in client.log.read_text()

    client.change(plain(broker))  # the right password: it connects without a restart
    client.wait_for("connected")


def test_unreachable_broker(make_client):
    client = make_client({"MQTT.Client.Enabled": "yes", "MQTT.Client.Host": HOST,
                          "MQTT.Client.Port": str(free_tcp_port())})
    status = client.wait_for("disconnected", "unreachable")
    assert "unreachable" in client.log.read_text()
    assert status["client_id"] == SERIAL


def test_off_until_turned_on(broker, make_client):
    client = make_client({**plain(broker), "MQTT.Client.Enabled": "no"})
    assert client.wait_for("off")["broker"] == ""
    client.change({"MQTT.Client.Enabled": "yes"})
    client.wait_for("connected")
    client.change({"MQTT.Client.Enabled": "no"})
    client.wait_for("off")


def _tls(broker: Mosquitto, ca_file: Path, cert: Path, key: Path) -> dict[str, str]:
    return {"MQTT.Client.Enabled": "yes", "MQTT.Client.Host": HOST,
            "MQTT.Client.Port": str(broker.tls_port), "MQTT.Client.Protocol": "ssl",
            "MQTT.Client.CACertificate": ca_file.name,
            "MQTT.Client.ClientCertificate": cert.name, "MQTT.Client.ClientKey": key.name}


def test_tls_with_a_client_certificate(broker, ca: BrokerCa, subscribe, make_client):
    watcher = subscribe(CONNECTION)
    cert, key = ca.issue("speaker", server=False)
    client = make_client(_tls(broker, ca.file, cert, key), certs=(ca.file, cert, key))
    assert client.wait_for("connected")["broker"] == f"ssl://{HOST}:{broker.tls_port}"
    assert json.loads(watcher.next(CONNECTION).payload)["connected"] is True


def test_a_broker_certificate_from_another_ca_is_refused(broker, ca: BrokerCa, tmp_path,
                                                         make_client):
    stranger = BrokerCa(tmp_path / "other", "Other CA")
    cert, key = ca.issue("speaker", server=False)
    client = make_client(_tls(broker, stranger.file, cert, key),
                         certs=(stranger.file, cert, key))
    status = client.wait_for("disconnected", "certificate was not accepted")
    assert "certificate" in client.log.read_text()
    assert status["broker"].startswith("ssl://")


def test_a_certificate_not_in_the_store_keeps_the_client_off(broker, make_client):
    client = make_client({**plain(broker), "MQTT.Client.Protocol": "ssl",
                          "MQTT.Client.CACertificate": "missing.pem"})
    assert "not in the certificate store" in client.wait_for("disconnected")["reason"]


def _websocket(bridge: WebSocketBridge, protocol: str) -> dict[str, str]:
    return {"MQTT.Client.Enabled": "yes", "MQTT.Client.Host": HOST,
            "MQTT.Client.Port": str(bridge.port), "MQTT.Client.Protocol": protocol,
            "MQTT.Client.Username": USER, "MQTT.Client.Password": PASSWORD}


@pytest.mark.parametrize("protocol", ["ws", "wss"])
def test_websocket_and_websocket_over_tls(broker, ca: BrokerCa, subscribe, make_client,
                                          protocol: str):
    tls = None
    if protocol == "wss":
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*ca.issue("front", server=True))
    bridge = WebSocketBridge(broker, tls)
    try:
        watcher = subscribe(CONNECTION)
        settings = _websocket(bridge, protocol)
        certs: tuple[Path, ...] = ()
        if protocol == "wss":
            settings["MQTT.Client.CACertificate"], certs = ca.file.name, (ca.file,)
        client = make_client(settings, certs=certs)
        assert client.wait_for("connected")["broker"] == f"{protocol}://{HOST}:{bridge.port}"
        assert json.loads(watcher.next(CONNECTION).payload)["connected"] is True
        client.kill()
        assert json.loads(watcher.next(CONNECTION).payload)["connected"] is False
    finally:
        bridge.close()


def test_a_wildcard_in_a_topic_keeps_the_client_off_with_the_reason(broker, make_client):
    client = make_client(plain(broker, **{"MQTT.Client.TopicPrefix": "site/#"}))
    assert "holds + or #" in client.wait_for("disconnected")["reason"]
    client.change({"MQTT.Client.TopicPrefix": "site/hall"})
    client.wait_for("connected")


def test_a_certificate_file_that_is_not_one_gives_the_reason(broker, ca: BrokerCa, tmp_path,
                                                             make_client):
    cert, _key = ca.issue("speaker", server=False)
    broken = tmp_path / "broken.key"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    client = make_client(_tls(broker, ca.file, cert, broken), certs=(ca.file, cert, broken))
    assert "could not be used" in client.wait_for("disconnected")["reason"]
    assert client.process.poll() is None
