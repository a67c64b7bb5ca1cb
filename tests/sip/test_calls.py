"""Calls to and from herald-sip, with a real SIP phone (baresip) calling it
peer to peer: what a caller hears and what the bus tells the device's pages
and rules."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from herald.bus import CallFailed
from herald.sip import contract
from tests.audio.signals import dominant_frequency, rms
from tests.conftest import wait_until
from tests.sip.peer import TONE


def test_an_incoming_call_is_answered_automatically_and_its_audio_flows(start_device, peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes"})
    status = device.wait_status(running=True)
    assert status.port == 5060
    assert [(a.name, a.registration) for a in status.accounts] == [
        (contract.PEER_TO_PEER_ACCOUNT, contract.PEER_TO_PEER)]

    peer.command("dial", device.uri)
    active = device.calls.wait_for(contract.ACTIVE)
    assert (active.direction, active.peer) == (contract.INCOMING, peer.uri)
    peer.wait_event("CALL_ESTABLISHED")
    # On a host the device's call audio is looped back: the phone hears its own tone.
    peer.wait_heard(1.5)
    peer.command("hangup")
    ended = device.calls.wait_for(contract.TERMINATED)
    assert ended.peer == peer.uri
    wait_until(lambda: device.calls.states()[-1:] == [contract.IDLE], what="the line free")
    assert device.calls.states() == [contract.IDLE, contract.RINGING, contract.ACTIVE,
                                     contract.TERMINATED, contract.IDLE]
    heard, rate = peer.heard()
    assert rms(heard) > 0.05
    assert abs(dominant_frequency(heard, rate) - TONE) < 20


def test_with_incoming_calls_off_a_call_is_refused(start_device, peer):
    device = start_device({"SIP.AllowIncoming": "no", "SIP.PeerToPeer.AutoAnswer": "yes"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    closed = peer.wait_event("CALL_CLOSED")
    assert not any(e.get("type") == "CALL_ESTABLISHED" for e in peer.events), closed
    ended = device.calls.wait_for(contract.TERMINATED)
    assert "SIP.AllowIncoming" in ended.reason
    assert contract.ACTIVE not in device.calls.states()


def test_a_call_ends_at_the_maximum_duration(start_device, peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes", "SIP.MaxCallDuration": "2"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    active = device.calls.wait_for(contract.ACTIVE)
    ended = device.calls.wait_for(contract.TERMINATED)
    assert "maximum call duration" in ended.reason
    assert 1.5 < ended.since - active.since < 5
    peer.wait_event("CALL_CLOSED")


def test_the_device_dials_and_hangs_up_on_request(start_device, peer):
    device = start_device()
    device.wait_status(running=True)
    assert device.call(contract.DIAL, uri=peer.uri) == {"ok": True}
    peer.wait_event("CALL_INCOMING")
    assert device.calls.wait_for(contract.CALLING).direction == contract.OUTGOING
    peer.command("accept")
    device.calls.wait_for(contract.ACTIVE)
    with pytest.raises(CallFailed, match="hang it up first"):
        device.call(contract.DIAL, uri=peer.uri)
    assert device.call(contract.HANGUP) == {"ok": True}
    assert device.calls.wait_for(contract.TERMINATED).reason == "hung up on request"
    peer.wait_event("CALL_CLOSED")


def test_a_ringing_call_is_answered_on_request(start_device, peer):
    """The manual's pre-announcement: the call rings (a rule plays a clip),
    then a rule answers it."""
    device = start_device()
    device.wait_status(running=True)
    with pytest.raises(CallFailed, match="no incoming call rings"):
        device.call(contract.ANSWER)
    peer.command("dial", device.uri)
    assert device.calls.wait_for(contract.RINGING).peer == peer.uri
    peer.wait_event("CALL_RINGING")
    assert device.call(contract.ANSWER) == {"ok": True}
    device.calls.wait_for(contract.ACTIVE)
    peer.wait_event("CALL_ESTABLISHED")


@pytest.mark.parametrize("uri", ["", "tel:+4612345", "sip:", "sip:a b@host", 5, "sip:" + "x" * 300])
def test_a_bad_address_is_refused_naming_the_field(start_device, uri):
    device = start_device()
    device.wait_status(running=True)
    with pytest.raises(CallFailed, match="uri: "):
        device.call(contract.DIAL, uri=uri)
    assert device.calls.states() == [contract.IDLE]


def test_a_user_agent_that_dies_is_said_and_started_again(start_device, peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    device.calls.wait_for(contract.ACTIVE)
    agent = int(subprocess.check_output(["pgrep", "-P", str(device.process.pid), "baresip"]))
    os.kill(agent, signal.SIGKILL)
    ended = device.calls.wait_for(contract.TERMINATED)
    assert ended.reason == device.wait_status(running=False).reason == (
        "baresip ended (exit status -9)")
    device.wait_status(running=True)
    peer.events.clear()
    peer.command("hangup")  # the phone's side of the call that was lost
    peer.command("dial", device.uri)
    peer.wait_event("CALL_ESTABLISHED")
