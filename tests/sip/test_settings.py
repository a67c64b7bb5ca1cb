"""System > SIP's settings as herald-sip takes them: on and off, a bad value
refused and nothing changed, a change that needs the user agent started
again, and the timings of a call (answer delay, ringing timeout)."""

from __future__ import annotations

import pytest

from herald.bus import CallFailed
from herald.params import ParamError
from herald.sip import contract
from tests.conftest import wait_until
from tests.sip.conftest import RTP_FIRST
from tests.sip.netns import ADDRESS


def test_sip_off_answers_nothing_until_turned_on(start_device, peer):
    device = start_device({"SIP.Enabled": "no"})
    assert device.wait_status(running=False).reason == "SIP is off"
    with pytest.raises(CallFailed, match=r"SIP is off \(System > SIP\)"):
        device.call(contract.DIAL, uri=peer.uri)
    peer.command("dial", device.uri + ";transport=tcp")  # TCP: refused at once, no retries
    assert "Connection refused" in peer.wait_event("CALL_CLOSED")["param"]
    assert device.calls.states() == [contract.IDLE]

    device.change({"SIP.Enabled": "yes", "SIP.PeerToPeer.AutoAnswer": "yes"})
    device.wait_status(running=True)
    peer.events.clear()
    peer.command("dial", device.uri)
    device.calls.wait_for(contract.ACTIVE)
    peer.wait_event("CALL_ESTABLISHED")


def test_a_bad_value_is_refused_naming_it_and_the_call_goes_on(start_device, peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    device.calls.wait_for(contract.ACTIVE)
    before = device.params.snapshot()
    for bad in ({"SIP.PeerToPeer.UserID": "front desk", "SIP.MaxCallDuration": "5"},
                {"SIP.Port": "80"}, {"SIP.PeerToPeer.AutoAnswerDelay": "soon"}):
        with pytest.raises(ParamError, match=next(iter(bad)).replace(".", r"\.")):
            device.change(bad)
    after = device.params.snapshot()
    assert {n: after.get(n) for n in ("SIP.PeerToPeer.UserID", "SIP.MaxCallDuration", "SIP.Port")
            } == {n: before.get(n) for n in ("SIP.PeerToPeer.UserID", "SIP.MaxCallDuration",
                                              "SIP.Port")}
    assert device.status().running
    assert device.calls.states()[-1] == contract.ACTIVE
    assert not any(e.get("type") == "CALL_CLOSED" for e in peer.events)
    peer.command("hangup")
    device.calls.wait_for(contract.TERMINATED)


def test_a_new_port_ends_the_call_and_is_answered_on(start_device, peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    device.calls.wait_for(contract.ACTIVE)
    device.change({"SIP.Port": "5070", "SIP.PeerToPeer.UserID": "lobby"})
    assert device.calls.wait_for(contract.TERMINATED).reason == "the SIP settings changed"
    peer.wait_event("CALL_CLOSED")
    status = wait_until(lambda: (s := device.status()) and s.running and s.port == 5070 and s,
                        what="herald-sip on port 5070")
    assert status.accounts[0].uri.startswith("sip:lobby@")
    peer.events.clear()
    peer.command("dial", f"sip:lobby@{ADDRESS}:5070")
    peer.wait_event("CALL_ESTABLISHED")


def test_a_sip_port_among_the_rtp_ports_keeps_sip_off_and_says_why(start_device):
    device = start_device({"SIP.Port": str(RTP_FIRST + 10)})
    status = device.wait_status(running=False, reason="SIP.RTPStartPort")
    assert f"The SIP port {RTP_FIRST + 10} is among the RTP ports" in status.reason
    device.change({"SIP.Port": "5060"})
    device.wait_status(running=True)


def test_incoming_calls_turned_off_while_running_are_refused(start_device, peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes"})
    device.wait_status(running=True)
    assert device.status().incoming
    device.change({"SIP.AllowIncoming": "no"})
    wait_until(lambda: not device.status().incoming, what="incoming calls refused")
    assert device.status().running  # taken in without starting the user agent again
    peer.command("dial", device.uri)
    ended = device.calls.wait_for(contract.TERMINATED)
    assert "SIP.AllowIncoming" in ended.reason


def test_an_answer_delay_lets_the_call_ring_first(start_device, peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes",
                           "SIP.PeerToPeer.AutoAnswerDelay": "1"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    ringing = device.calls.wait_for(contract.RINGING)
    peer.wait_event("CALL_RINGING")
    active = device.calls.wait_for(contract.ACTIVE)
    assert active.since - ringing.since >= 1.0


def test_a_call_nobody_answers_ends_at_the_call_timeout(start_device, peer):
    device = start_device({"SIP.CallTimeout": "10"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    ringing = device.calls.wait_for(contract.RINGING)
    ended = device.calls.wait_for(contract.TERMINATED)
    assert ended.reason == "not answered within 10 s"
    assert 10 <= ended.since - ringing.since < 13
    peer.wait_event("CALL_CLOSED")
