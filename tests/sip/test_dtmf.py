"""DTMF: keys a caller presses in a call (RFC 4733 events, as the phone sends
them) that make up one of the DTMF sequences are the bus's DTMF event, which
herald-core's events service turns into the "DTMF" event rules use (the
manual's "Stop audio with DTMF")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.access import Level
from herald.events import contract as events
from herald.params import GroupError
from herald.sip import contract
from tests.audio.conftest import Core, core_on
from tests.conftest import wait_until
from tests.sip.conftest import Heard


@pytest.fixture
def core(tmp_path: Path, own_redis_url: str) -> Iterator[Core]:
    with core_on(tmp_path, own_redis_url) as core:
        yield core


def add_sequence(device, keys: str, description: str) -> str:
    return device.params.add("sipdtmf", contract.DTMF_SEQUENCES, {
        f"{contract.DTMF_SEQUENCES}.D.Sequence": keys,
        f"{contract.DTMF_SEQUENCES}.D.Description": description}, Level.ADMIN)


def test_a_sequence_the_caller_presses_is_an_event_for_rules(core, start_device, peer,
                                                            own_redis_url):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes"})
    add_sequence(device, "12#", "stop audio")
    add_sequence(device, "*0", "other")
    answer = core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "DTMF stop audio",
        "trigger": {"topic": events.DTMF.topic, "source": "stop audio"},
        "action": {"kind": events.STOP_CLIP}})
    assert answer["ok"], answer
    heard = Heard(own_redis_url, contract.DTMF)
    try:
        device.wait_status(running=True)
        peer.command("dial", device.uri)
        device.calls.wait_for(contract.ACTIVE)
        peer.wait_event("CALL_ESTABLISHED")
        peer.command("sndcode", "9")
        peer.command("sndcode", "1")
        peer.command("sndcode", "2")
        peer.command("sndcode", "#")
        pressed = wait_until(lambda: heard.data, what="the DTMF event")
        sequence = contract.DtmfSequence.from_dict(pressed[0]["sequence"])
        assert (sequence.keys, sequence.description, sequence.peer) == (
            "12#", "stop audio", peer.uri)
        wait_until(lambda: next(r["last_run"] for r in core.bus.call(
            events.SERVICE, events.LIST_RULES)["rules"] if r["name"] == "DTMF stop audio"),
            what="the rule on the DTMF sequence to run")
    finally:
        heard.close()


def test_a_sequence_with_other_keys_is_refused_naming_it(start_device):
    device = start_device()
    with pytest.raises(GroupError, match=r"SIP\.DTMF\.D0\.Sequence: must be 1 to 32 of the keys"):
        add_sequence(device, "12E", "bad")
    assert not [i for i in device.params.snapshot().instances
                if i.startswith(contract.DTMF_SEQUENCES)]
