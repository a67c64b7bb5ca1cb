"""The outbox against real recipients on localhost: a notification is kept
on disk until its recipient has it, through a recipient that is down and a
restart; tries wait longer each time; expired and orphaned notifications are
dropped with the reason logged; a failure is logged without the password.
Time is given, never waited for."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.events.outbox import CLAIM, DEFAULT_LIFETIME, FIRST_WAIT, LONGEST_WAIT, Outbox
from herald.events.recipients import (
    Attachment,
    FtpRecipient,
    Notification,
    Recipient,
    TcpRecipient,
)
from tests.firmware.recipient_servers import (
    HOST,
    PASSWORD,
    USER,
    Server,
    TcpListener,
    ftp_server,
    tcp_listener,
)

T0 = 1_800_000_000.0  # seconds since the epoch; the tests say when "now" is
TIMEOUT = 5.0
ALARM = Notification("Alarm", "ALARM zone=3")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "herald.sqlite3"


@pytest.fixture
def panel() -> Iterator[TcpListener]:
    """A TCP recipient that is down (its port refuses) until listen()."""
    with tcp_listener(listening=False) as listener:
        yield listener


def directory(**recipients: Recipient) -> dict[int, Recipient]:
    """Recipients by id, as the store keeps them: "r7" is id 7."""
    return {int(key[1:]): recipient for key, recipient in recipients.items()}


def tcp(listener: TcpListener) -> TcpRecipient:
    return TcpRecipient(name="Panel", host=HOST, port=listener.port)


def test_a_recipient_that_is_down_gets_the_notification_when_it_is_back(database, panel):
    recipients = directory(r7=tcp(panel))
    outbox = Outbox(database, recipients.get, TIMEOUT)
    first = outbox.put(7, ALARM, T0)
    assert outbox.deliver_due(T0) == 0
    (pending,) = outbox.due(T0 + FIRST_WAIT)
    assert (pending.id, pending.recipient, pending.notification) == (first, 7, ALARM)
    assert pending.attempts == 1 and pending.next_try == T0 + FIRST_WAIT
    assert pending.last_error == f"connection refused by {HOST}:{panel.port}"
    assert outbox.due(T0 + FIRST_WAIT - 1) == []

    panel.listen()
    restarted = Outbox(database, recipients.get, TIMEOUT)  # the device restarted meanwhile
    assert restarted.deliver_due(T0 + FIRST_WAIT - 1) == 0  # not due yet
    assert restarted.deliver_due(T0 + FIRST_WAIT) == 1
    panel.close()
    assert panel.received == [b"ALARM zone=3"]
    assert restarted.due(T0 + DEFAULT_LIFETIME - 1) == []


def test_each_wait_is_twice_the_last_up_to_an_hour(database):
    outbox = Outbox(database, {}.get)
    notification = outbox.put(1, ALARM, T0)
    now, waits = T0, []
    for _ in range(10):
        outbox.failed(notification, "connection refused", now)
        (pending,) = outbox.due(T0 + DEFAULT_LIFETIME - 1)
        waits.append(pending.next_try - now)
        now = pending.next_try
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert waits[0] == FIRST_WAIT and max(waits) == LONGEST_WAIT
    assert pending.attempts == 10


def test_expired_notifications_are_dropped_with_the_reason(database, panel, caplog):
    outbox = Outbox(database, directory(r7=tcp(panel)).get, TIMEOUT)
    tried = outbox.put(7, Notification(message="tried"), T0, lifetime=120)
    outbox.put(7, Notification(message="never tried"), T0 + 1)  # the device was off for a day
    outbox.deliver_due(T0)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="herald.events.outbox"):
        outbox.deliver_due(T0 + DEFAULT_LIFETIME + 1)
    assert [r.getMessage() for r in caplog.records] == [
        f"notification {tried} to recipient 7 dropped: not delivered within 2 min (1 try; "
        f"last error: connection refused by {HOST}:{panel.port})",
        f"notification {tried + 1} to recipient 7 dropped: not delivered within 24 h "
        f"(never tried)"]
    assert outbox.due(T0 + DEFAULT_LIFETIME + 1) == []


def test_a_deleted_recipients_notifications_are_dropped(database, caplog):
    outbox = Outbox(database, {}.get)
    notification = outbox.put(3, ALARM, T0)
    with caplog.at_level(logging.WARNING, logger="herald.events.outbox"):
        assert outbox.deliver_due(T0) == 0
    assert caplog.messages == [f"notification {notification} dropped: recipient 3 no longer "
                               f"exists"]
    assert outbox.due(T0 + DEFAULT_LIFETIME - 1) == []


def test_a_recipient_that_failed_is_not_tried_again_in_the_same_pass(database, panel):
    looked_up = []

    def recipients(recipient_id: int) -> Recipient:
        looked_up.append(recipient_id)
        return tcp(panel)

    outbox = Outbox(database, recipients, TIMEOUT)
    for n in range(3):
        outbox.put(7, Notification(message=f"{n}"), T0)
    assert outbox.deliver_due(T0) == 0
    assert looked_up == [7]
    assert {(p.attempts, p.last_error) for p in outbox.due(T0 + FIRST_WAIT)} == {
        (1, f"connection refused by {HOST}:{panel.port}")}


def test_notifications_go_oldest_first(database):
    with tcp_listener() as listener:
        outbox = Outbox(database, directory(r1=tcp(listener)).get, TIMEOUT)
        for text in ("first", "second", "third"):
            outbox.put(1, Notification(message=text), T0)
        assert outbox.deliver_due(T0) == 3
        listener.close()
    assert listener.received == [b"first", b"second", b"third"]


def test_a_second_pass_leaves_a_notification_being_delivered_alone(database):
    """While one pass delivers, another (a second worker's) runs: it finds
    nothing to do."""
    second_pass: list[int] = []
    with tcp_listener() as listener:
        def recipients(recipient_id: int) -> Recipient:
            Outbox(database, second_pass.append).deliver_due(T0)  # type: ignore[arg-type]
            return tcp(listener)

        outbox = Outbox(database, recipients, TIMEOUT)
        outbox.put(1, ALARM, T0)
        assert outbox.deliver_due(T0) == 1
        listener.close()
    assert listener.received == [b"ALARM zone=3"]
    assert second_pass == []  # it looked no recipient up


class PowerCut(BaseException):
    """The process ends in the middle of a delivery."""


def test_a_delivery_cut_short_is_tried_again_after_its_claim(database, panel):
    def cut(recipient_id: int) -> Recipient:
        raise PowerCut

    outbox = Outbox(database, cut, TIMEOUT)
    notification = outbox.put(7, ALARM, T0)
    with pytest.raises(PowerCut):
        outbox.deliver_due(T0)
    panel.listen()
    restarted = Outbox(database, directory(r7=tcp(panel)).get, TIMEOUT)
    assert restarted.due(T0 + CLAIM - 1) == []
    assert [p.id for p in restarted.due(T0 + CLAIM)] == [notification]
    assert restarted.deliver_due(T0 + CLAIM) == 1


def test_an_error_of_the_firmware_keeps_the_notification(database, caplog):
    def broken(recipient_id: int) -> Recipient:
        raise KeyError(recipient_id)

    outbox = Outbox(database, broken, TIMEOUT)
    outbox.put(7, ALARM, T0)
    with caplog.at_level(logging.ERROR, logger="herald.events.outbox"):
        assert outbox.deliver_due(T0) == 0
    assert caplog.records[0].exc_info
    (pending,) = outbox.due(T0 + FIRST_WAIT)
    assert pending.last_error == "internal error: KeyError"


# A recipient that takes files, through the database and back ---------------------------------

@pytest.fixture(scope="module")
def ftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    root = tmp_path_factory.mktemp("ftp")
    with ftp_server(root) as server:
        yield server, root


def test_a_file_is_kept_whole_and_delivered(database, ftp):
    server, root = ftp
    clip = Attachment("doorbell.wav", bytes(range(256)) * 400)
    archive = FtpRecipient(name="Archive", host=HOST, port=server.port, username=USER,
                           password=PASSWORD)
    outbox = Outbox(database, directory(r2=archive).get, TIMEOUT)
    outbox.put(2, Notification("Clip", attachment=clip), T0)
    with sqlite3.connect(database) as db:  # on disk before any delivery was tried
        assert db.execute("SELECT file_name, file_data FROM herald_event_outbox").fetchall() == [
            ("doorbell.wav", clip.data)]
    assert outbox.deliver_due(T0) == 1
    assert (root / "doorbell.wav").read_bytes() == clip.data


def test_a_failure_is_logged_with_its_reason_and_without_the_password(database, ftp, caplog):
    server, _ = ftp
    archive = FtpRecipient(name="Archive", host=HOST, port=server.port, username=USER,
                           password="Wr0ng-but-s3cret")
    outbox = Outbox(database, directory(r2=archive).get, TIMEOUT)
    notification = outbox.put(2, ALARM, T0)
    with caplog.at_level(logging.DEBUG):
        outbox.deliver_due(T0)
    assert (f"notification {notification} to recipient 2 not delivered (try 1; next in 30 s): "
            f"the FTP server refused the login: 530 ") in caplog.text
    assert "Wr0ng-but-s3cret" not in caplog.text


def test_a_notification_lives_a_day_unless_told_otherwise(database):
    outbox = Outbox(database, {}.get)
    outbox.put(1, ALARM, T0)
    with pytest.raises(ValueError, match="lifetime: must be more than 0 s"):
        outbox.put(1, ALARM, T0, lifetime=0)
    (pending,) = outbox.due(T0)
    assert pending.expires == T0 + 24 * 3600 and pending.created == T0
