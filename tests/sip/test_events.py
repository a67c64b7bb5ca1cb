"""The SIP call as an event source: herald-core's events service follows the
call herald-sip publishes, as the "Call state" event rules start on (the
manual's pre-announcement: a clip while a call is ringing); and the SIP
actions of rules: "Answer call" and "Make a SIP call"."""

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


def add_rule(core: Core, name: str, trigger: dict, action: dict) -> dict:
    return core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": name, "trigger": trigger, "action": action})


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


def test_a_rule_answers_a_ringing_call(core, start_device, peer):
    assert add_rule(core, "Answer", {"topic": events.SIP_CALL.topic, "value": sip.RINGING},
                    {"kind": events.SIP_ANSWER})["ok"]
    device = start_device()  # it does not answer by itself
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    peer.wait_event("CALL_ESTABLISHED")
    assert device.calls.wait_for(sip.ACTIVE).direction == sip.INCOMING


def test_a_rule_makes_a_sip_call(core, start_device, peer):
    assert add_rule(core, "Call the desk", {"topic": events.VIRTUAL_INPUT.topic, "source": 2},
                    {"kind": events.SIP_CALL_ACTION, "address": peer.uri})["ok"]
    device = start_device()
    device.wait_status(running=True)
    core.bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=2, active=True)
    assert peer.wait_event("CALL_INCOMING")["peeruri"].startswith("sip:herald@")
    calling = device.calls.wait_for(sip.CALLING)
    assert (calling.direction, calling.peer) == (sip.OUTGOING, peer.uri)
    peer.command("accept")
    device.calls.wait_for(sip.ACTIVE)
    # A second run while the call goes on is refused by herald-sip: the rule's error.
    core.bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=2, active=False)
    core.bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=2, active=True)
    wait_until(lambda: "hang it up first" in next(
        r["error"] for r in core.bus.call(events.SERVICE, events.LIST_RULES)["rules"]
        if r["name"] == "Call the desk"), what="the rule's error")


def test_a_rule_calling_from_an_account_that_is_not_there_says_so(core, start_device):
    assert add_rule(core, "From nowhere", {"topic": events.VIRTUAL_INPUT.topic, "source": 3},
                    {"kind": events.SIP_CALL_ACTION, "address": "sip:desk@127.0.0.2",
                     "account": "Back door"})["ok"]
    start_device().wait_status(running=True)
    core.bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=3, active=True)
    wait_until(lambda: "account: no SIP account named 'Back door'" in next(
        r["error"] for r in core.bus.call(events.SERVICE, events.LIST_RULES)["rules"]
        if r["name"] == "From nowhere"), what="the rule's error")


@pytest.mark.parametrize("address", ["", "tel:+4612345", None])
def test_a_sip_call_to_a_bad_address_is_refused_naming_it(core, address):
    answer = add_rule(core, "Bad", {"topic": events.VIRTUAL_INPUT.topic, "source": 2},
                      {"kind": events.SIP_CALL_ACTION, "address": address})
    assert not answer["ok"] and answer["message"].startswith("address: "), answer
    assert not [r for r in core.bus.call(events.SERVICE, events.LIST_RULES)["rules"]
                if r["name"] == "Bad"]
