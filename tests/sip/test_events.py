"""The SIP call as an event source: herald-core's events service follows the
call herald-sip publishes, as the "Call state" event rules start on (the
manual's pre-announcement: a clip while a call is ringing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.events import contract as events
from herald.sip import contract as sip
from tests.audio.conftest import Core, core_on
from tests.conftest import wait_until


@pytest.fixture
def core(tmp_path: Path, own_redis_url: str) -> Iterator[Core]:
    with core_on(tmp_path, own_redis_url) as core:
        yield core


def call_state(core: Core) -> object:
    return next((s["value"] for s in core.bus.call(events.SERVICE, events.STATES)["states"]
                 if s["topic"] == events.SIP_CALL.topic), None)


def last_run(core: Core, name: str) -> float | None:
    return next(r["last_run"] for r in core.bus.call(events.SERVICE, events.LIST_RULES)["rules"]
                if r["name"] == name)


def test_a_ringing_call_starts_a_rule_and_each_state_is_an_event(core, start_device, peer):
    assert call_state(core) == sip.IDLE  # herald-sip not running yet: no call
    answer = core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Ringing", "trigger": {"topic": events.SIP_CALL.topic, "value": sip.RINGING},
        "action": {"kind": events.STOP_CLIP}})
    assert answer["ok"], answer
    device = start_device()
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    wait_until(lambda: call_state(core) == sip.RINGING, what="the call state ringing")
    wait_until(lambda: last_run(core, "Ringing"), what="the rule on a ringing call to run")
    device.call(sip.ANSWER)
    wait_until(lambda: call_state(core) == sip.ACTIVE, what="the call state active")
    peer.command("hangup")
    wait_until(lambda: call_state(core) == sip.IDLE, what="the call state idle again")


def test_a_rule_on_an_unknown_call_state_is_refused_naming_it(core):
    answer = core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Odd", "trigger": {"topic": events.SIP_CALL.topic, "value": "on hold"},
        "action": {"kind": events.STOP_CLIP}})
    assert not answer["ok"]
    assert "Call state is never 'on hold'" in answer["message"], answer
