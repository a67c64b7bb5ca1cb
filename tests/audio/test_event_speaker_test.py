"""The manual's first example flow, "Send an email if a speaker test fails", end
to end: a schedule daily from 18:00 to 18:01 runs the speaker test, and a rule
on "Speaker test result: Didn't pass the test" sends an email (SMTP with
STARTTLS and a login). herald-core runs under libfaketime with its clock set
back to 17:59:20 in the device's time zone, so the schedule fires as it
would that evening. The zone is the one (of the Etc/GMT zones, no DST) in
which it is past 18:00 now, so the device's clock is at most about an hour
behind the test's: a call's deadline, which the caller sets on its own
clock, is still ahead on the device's. The speaker is calibrated in one room and
tested at 18:00 in a room that has lost the 2 kHz band; a test before, in
the first room, passes and sends no such email."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from herald.access import Level
from herald.audio import contract as audio
from herald.events import contract as events
from herald.params import ParamStore, default_tree
from herald.simulation.sound_card import FileAudioDevices
from tests.audio.conftest import Core, _run_core
from tests.audio.rooms import NOTCH_2K, ROOM_DB, ROOM_DELAY_MS
from tests.conftest import redis_server, wait_until
from tests.firmware.recipient_servers import (
    HOST,
    PASSWORD,
    USER,
    Pki,
    Server,
    event_loop,
    make_pki,
    smtp_server,
)

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
LEAD = timedelta(seconds=40)  # before 18:00: time to start, calibrate and add the rules
FAILED_TO, PASSED_TO = "ops@example.com", "desk@example.com"


@dataclass
class Evening:
    """herald-core whose clock reads `six_pm` minus LEAD as it starts."""

    core: Core
    six_pm: datetime  # aware, in the device's time zone

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        reply = self.core.bus.call(events.SERVICE, method, **params)
        assert reply["ok"], reply
        return reply

    def speaker_test(self) -> audio.SpeakerTestState:
        return audio.SpeakerTestState.from_dict(self.core.bus.state()[audio.SPEAKER_TEST])


def last_six_pm() -> datetime:
    """18:00 today in the zone where it is now between 18:00 and 19:00."""
    now = datetime.now(UTC)
    offset = (18 - now.hour + 12) % 24 - 12  # hours east of UTC, as Etc/GMT zones go
    zone = ZoneInfo(f"Etc/GMT{-offset:+d}")  # POSIX's sign: Etc/GMT-2 is UTC+2
    return now.astimezone(zone).replace(minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def evening(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Evening]:
    if not LIBFAKETIME.exists():
        pytest.fail(f"{LIBFAKETIME} is missing: install Debian's faketime (scripts/setup)")
    data = tmp_path_factory.mktemp("evening")
    six_pm = last_six_pm()
    ParamStore(data / "db.sqlite3", default_tree()).update(
        {"Time.TimeZone": str(six_pm.tzinfo)}, Level.ADMIN)
    with FileAudioDevices(tmp_path_factory.mktemp("card")) as card, redis_server(
            tmp_path_factory.mktemp("redis")) as redis_url, pytest.MonkeyPatch.context() as env:
        card.set_scene(np.zeros(4800, dtype=np.float32), 48000)
        card.set_room(ROOM_DB, ROOM_DELAY_MS)
        # Only herald-core's clock moves: the card and Redis started before this.
        offset = (six_pm - LEAD - datetime.now(UTC)).total_seconds()
        env.setenv("LD_PRELOAD", str(LIBFAKETIME))
        env.setenv("FAKETIME", f"{offset:+.0f}")
        env.setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        running = _run_core(data, redis_url, card)
        core = next(running)
        env.undo()
        yield Evening(core, six_pm)
        running.close()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def smtp(pki: Pki) -> Iterator[Server]:
    """A mail server with STARTTLS and a login."""
    with event_loop() as loop, smtp_server(loop, pki) as server:
        yield server


def recipient(evening: Evening, smtp: Server, pki: Pki, name: str, to: str) -> int:
    return evening.call(events.ADD_RECIPIENT, by="test", recipient={
        "type": "email", "name": name, "to": to, "sender": "speaker@example.com",
        "host": HOST, "port": smtp.port, "encryption": "tls", "username": USER,
        "password": PASSWORD, "ca": pki.ca_pem,
        # Its certificate starts an hour before the test's clock; the device's may
        # be a little more behind.
        "validate_certificate": False})["id"]


def rules(evening: Evening) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in evening.call(events.LIST_RULES)["rules"]}


def mail_to(smtp: Server, address: str) -> list[Any]:
    return [message for _, to, message in list(smtp.received) if address in to]


def mail_arrives(evening: Evening, smtp: Server, address: str, timeout: float,
                 what: str) -> list[Any]:
    """The mail to `address`; if none comes, the failure shows the rules, the
    speaker test and herald-core's log, which say where it stopped."""
    try:
        return wait_until(lambda: mail_to(smtp, address), timeout=timeout, what=what)
    except pytest.fail.Exception as exc:
        log = evening.core.log.read_text(errors="replace").splitlines()[-40:]
        pytest.fail(f"{exc}\nrules: {rules(evening)}\nspeaker test: {evening.speaker_test()}"
                    "\nherald-core's log:\n" + "\n".join(log))


def test_a_daily_speaker_test_at_six_that_fails_sends_an_email(evening: Evening, smtp: Server,
                                                               pki: Pki) -> None:
    evening.core.wait_idle()
    calibrating = evening.core.call(audio.SPEAKER_TEST_CALIBRATE)
    assert calibrating["running"] == audio.CALIBRATION
    calibrated = wait_until(lambda: (s := evening.speaker_test()).calibrated
                            and not s.running and s, timeout=30, what="the calibration")
    assert calibrated.last is not None and calibrated.last.passed, calibrated.last

    schedule = evening.call(events.ADD_SCHEDULE, by="test", name="Daily at 6pm", ical=(
        "DTSTART:19700101T180000\nDTEND:19700101T180100\nRRULE:FREQ=DAILY"))["id"]
    failed_to = recipient(evening, smtp, pki, "Speaker test recipients", FAILED_TO)
    passed_to = recipient(evening, smtp, pki, "Speaker test log", PASSED_TO)
    result = {"topic": events.SPEAKER_TEST.topic}
    evening.call(events.ADD_RULE, by="test", rule={
        "name": "Speaker test failed", "trigger": {**result, "value": events.SPEAKER_TEST_FAILED},
        "action": {"kind": events.NOTIFY_ACTION, "recipient": failed_to,
                   "subject": "{rule}", "message": "{event} at {time}"}})
    evening.call(events.ADD_RULE, by="test", rule={
        "name": "Speaker test passed", "trigger": {**result, "value": events.SPEAKER_TEST_PASSED},
        "action": {"kind": events.NOTIFY_ACTION, "recipient": passed_to, "subject": "{rule}"}})
    evening.call(events.ADD_RULE, by="test", rule={
        "name": "Automatic speaker test",
        "trigger": {"topic": events.SCHEDULE.topic, "source": schedule},
        "action": {"kind": events.SPEAKER_TEST_ACTION}})
    evening.call(events.ADD_RULE, by="test", rule={
        "name": "Speaker test now", "trigger": {"topic": events.MANUAL_TRIGGER.topic},
        "action": {"kind": events.SPEAKER_TEST_ACTION}})
    # Added before 18:00 on the device's clock: a rule added while its schedule is
    # active would have run at once.
    assert all(r["last_run"] is None for r in rules(evening).values())

    # In the room it was calibrated in, a test passes and sends no "failed" email:
    # that rule, added before the "passed" one, is decided when the "passed" email goes.
    evening.call(events.SET_MANUAL_TRIGGER, active=True, by="test")
    [logged] = mail_arrives(evening, smtp, PASSED_TO, 30, "the email of the passed test")
    assert logged["Subject"] == "Speaker test passed"
    assert mail_to(smtp, FAILED_TO) == []
    runs = rules(evening)
    assert runs["Speaker test failed"]["last_run"] is None
    assert runs["Automatic speaker test"]["last_run"] is None  # still before 18:00

    evening.core.card.set_room(ROOM_DB, ROOM_DELAY_MS, response=NOTCH_2K)
    [email] = mail_arrives(evening, smtp, FAILED_TO, LEAD.total_seconds() + 30,
                           "the email of the failed test")
    assert email["Subject"] == "Speaker test failed"
    sent = re.fullmatch(r"Speaker test result at (.+) UTC", email.get_content().strip())
    assert sent, email.get_content()
    at = datetime.strptime(sent.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert evening.six_pm <= at < evening.six_pm + timedelta(seconds=20)
    last = evening.speaker_test().last
    assert last is not None and last.kind == audio.TEST and not last.passed
    assert evening.six_pm.timestamp() <= last.at and "2 kHz" in last.failed
    assert len(mail_to(smtp, PASSED_TO)) == 1
    runs = rules(evening)
    assert runs["Automatic speaker test"]["last_run"] >= evening.six_pm.timestamp()
    assert all(r["error"] == "" for r in runs.values()), runs


def test_a_refused_speaker_test_is_the_rules_error(evening: Evening) -> None:
    """A speaker test that cannot run (the speaker is muted) is the rule's error."""
    evening.core.configure(output_mute=True)
    try:
        evening.call(events.ADD_RULE, by="test", rule={
            "name": "Speaker test on input 5",
            "trigger": {"topic": events.VIRTUAL_INPUT.topic, "source": 5},
            "action": {"kind": events.SPEAKER_TEST_ACTION}})
        evening.call(events.SET_VIRTUAL_INPUT, port=5, active=True)
        assert rules(evening)["Speaker test on input 5"]["error"] == "the speaker is muted"
        assert not evening.speaker_test().running
    finally:
        evening.core.configure(output_mute=False)
