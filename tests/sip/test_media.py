"""What a call's media is made of, as the SIP settings choose: the audio
codecs by priority and SRTP (off, optional, required), checked with a real
phone's call and what it hears."""

from __future__ import annotations

import pytest

from herald.params import ParamError
from herald.sip import contract
from tests.audio.signals import dominant_frequency
from tests.conftest import wait_until
from tests.sip.peer import TONE


def hears_its_tone(peer, rate: int, channels: int) -> None:
    peer.wait_heard(1.0, rate, channels)
    peer.command("hangup")
    heard, heard_rate = peer.heard()
    assert heard_rate == rate
    assert abs(dominant_frequency(heard, heard_rate) - TONE) < 20


@pytest.mark.parametrize(("codecs", "decoder", "rate"), [
    ("pcma", "PCMA 8000Hz 1ch", 8000),
    ("G722", "G722 16000Hz 1ch", 16000),
])
def test_an_incoming_call_uses_only_the_chosen_codecs(start_device, peer, codecs, decoder,
                                                      rate):
    """The phone offers Opus first; the device answers with what it may use."""
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes", "SIP.AudioCodecs": codecs})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    device.calls.wait_for(contract.ACTIVE)
    hears_its_tone(peer, rate, 1)
    assert peer.decoder() == decoder


def test_the_device_offers_its_codecs_by_priority(start_device, peer):
    """The manual: the recipient decides; a phone takes the first it can of the offer."""
    device = start_device({"SIP.AudioCodecs": "pcmu,opus"})
    device.wait_status(running=True)
    device.call(contract.DIAL, uri=peer.uri)
    peer.wait_event("CALL_INCOMING")
    peer.command("accept")
    device.calls.wait_for(contract.ACTIVE)
    hears_its_tone(peer, 8000, 1)
    assert peer.decoder() == "PCMU 8000Hz 1ch"


@pytest.mark.parametrize("codecs", ["", "gsm", "opus,opus", "pcmu;pcma"])
def test_a_bad_codec_list_is_refused_naming_it(start_device, codecs):
    device = start_device()
    with pytest.raises(ParamError, match=r"SIP\.AudioCodecs: "):
        device.change({"SIP.AudioCodecs": codecs})
    assert device.params.snapshot().get("SIP.AudioCodecs") == "opus,g722,pcmu,pcma"


def test_required_srtp_refuses_a_plain_call_and_takes_an_encrypted_one(start_device, peer,
                                                                       srtp_peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes", "SIP.PeerToPeer.SRTP": "required"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    closed = peer.wait_event("CALL_CLOSED")
    assert not any(e.get("type") == "CALL_ESTABLISHED" for e in peer.events), closed
    srtp_peer.command("dial", device.uri)
    device.calls.wait_for(contract.ACTIVE)
    hears_its_tone(srtp_peer, 48000, 2)
    assert "SRTP is Enabled" in srtp_peer.log.read_text(errors="replace")


def test_optional_srtp_takes_plain_and_encrypted_calls(start_device, peer, srtp_peer):
    device = start_device({"SIP.PeerToPeer.AutoAnswer": "yes", "SIP.PeerToPeer.SRTP": "optional"})
    device.wait_status(running=True)
    peer.command("dial", device.uri)
    device.calls.wait_for(contract.ACTIVE)
    hears_its_tone(peer, 48000, 2)
    wait_until(lambda: device.calls.states()[-1] == contract.IDLE, what="the line free")
    srtp_peer.command("dial", device.uri)
    srtp_peer.wait_event("CALL_ESTABLISHED")
    hears_its_tone(srtp_peer, 48000, 2)
    assert "SRTP is Enabled" in srtp_peer.log.read_text(errors="replace")
