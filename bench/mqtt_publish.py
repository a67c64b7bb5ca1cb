"""Benchmark of the MQTT client (herald-mqtt): how long a device event takes
to reach a subscriber of the broker.

Starts redis-server, a mosquitto on free ports and herald-mqtt in a temporary
directory, as the tests do, publication on for virtual inputs. --events
events are put on the bus one after another, each as the events service
announces it; a subscriber of the broker times each one's arrival:

* publish_qos0 and publish_qos1: event on the bus to message at the
  subscriber (median, p99), at QoS 0 and at QoS 1 (through the outbox);
* client_rss: herald-mqtt's resident memory after the run (issue 17's budget).
Usage: .venv/bin/python bench/mqtt_publish.py [--events 500] [--json]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from figures import Report, arguments, figures, note

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware")]

from herald.events import contract as events  # noqa: E402
from tests.conftest import redis_server  # noqa: E402
from tests.mqtt.broker import BrokerCa, Mosquitto, Subscriber  # noqa: E402
from tests.mqtt.device import PREFIX, plain, start_client  # noqa: E402

TOPIC = f"{PREFIX}/event/Device/IO/VirtualInput"


def latencies(client, subscriber: Subscriber, count: int) -> list[float]:
    """Seconds from the bus to the subscriber for `count` events."""
    seconds = []
    for number in range(count):
        sent = time.time()
        notification = events.Notification(
            topic=events.VIRTUAL_INPUT.topic, source={"port": 1},
            data={"active": number % 2 == 0}, timestamp=sent, stateful=True)
        client.bus.publish(events.NOTIFY, notification=notification.to_dict())
        message = subscriber.next(TOPIC)
        seconds.append(time.time() - sent)
        assert json.loads(message.payload)["timestamp"] == int(sent * 1000)
    return seconds


def report_latencies(report: Report, name: str, seconds: list[float]) -> None:
    report.add(f"{name}_median", statistics.median(seconds) * 1000, "ms")
    report.add(f"{name}_p99", statistics.quantiles(seconds, n=100)[98] * 1000, "ms")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--events", type=int, default=500, help="events per QoS level")
    options = parser.parse_args()
    with figures(options) as report, tempfile.TemporaryDirectory(prefix="mqtt-bench-") as tmp:
        directory = Path(tmp)
        (directory / "broker").mkdir()
        broker = Mosquitto(directory / "broker", BrokerCa(directory / "pki", "Bench CA"))
        broker.start()
        with redis_server(directory) as redis_url:
            client = start_client(directory / "data", redis_url, plain(broker, **{
                "MQTT.Publication.Enabled": "yes"}))
            subscriber = Subscriber(broker, TOPIC)
            try:
                client.wait_for("connected")
                note(f"herald-mqtt and mosquitto on port {broker.plain_port}; "
                     f"{options.events} events per QoS level")
                for qos in (0, 1):
                    client.change({"MQTT.Publication.QoS": str(qos)})
                    client.wait_for("connected")
                    latencies(client, subscriber, 10)  # the new connection is in use
                    report_latencies(report, f"publish_qos{qos}",
                                     latencies(client, subscriber, options.events))
                report.add("client_rss", rss_mib(client.process.pid), "MiB")
            finally:
                subscriber.close()
                client.process.terminate()
                client.process.wait(timeout=15)
                broker.stop()


if __name__ == "__main__":
    main()
