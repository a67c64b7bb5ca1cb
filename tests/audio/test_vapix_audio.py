"""VAPIX audio over HTTP on the whole device: media clips, live audio, device control."""

from __future__ import annotations

import contextlib
import struct
import threading

import httpx
import numpy as np
import pytest

from herald.audio import contract as audio
from herald.audio.g711 import ulaw_decode, ulaw_encode
from herald.audio.gain import db_to_gain
from herald.audio.pcm import float_to_s16, s16_to_float
from herald.audio.resample import Resampler
from tests.audio.clip_files import DAMAGE, GOOD, truncations
from tests.audio.signals import (
    bursts,
    dominant_frequency,
    encode,
    similarity,
    sine,
    speechlike,
    wav_header,
)
from tests.audio.webstack import UPLOAD, AudioDevice, upload, uploaded_id
from tests.conftest import wait_until


def test_upload_play_and_stop_clips(device: AudioDevice) -> None:
    clip = uploaded_id(upload(device, encode(sine(900, 0.5, 16000), 16000, "wav"), "door.wav",
                              name="Door"))
    device.start_listening()
    with device.stack.vapix(device.stack.accounts["viewer"]) as viewer:
        reply = viewer.get("/axis-cgi/playclip.cgi", params={"clip": clip, "volume": 50})
        assert (reply.status_code, reply.text.split()) == (200, ["OK", f"playing={clip}"])
    heard = device.heard()
    [burst] = bursts(heard, threshold=0.01)
    assert burst.seconds == pytest.approx(0.5, abs=0.02)
    assert dominant_frequency(heard[burst.start : burst.end]) == pytest.approx(900, rel=0.003)
    middle = heard[burst.start + 2400 : burst.end - 2400]
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 * 0.5 / np.sqrt(2) * db_to_gain(-6),
                                                        rel=0.03)

    long_clip = uploaded_id(upload(device, encode(sine(440, 5, 16000), 16000, "wav"), "l.wav"))
    with device.stack.vapix(device.stack.accounts["operator"]) as operator:
        assert operator.get("/axis-cgi/mediaclip.cgi",
                            params={"action": "play", "clip": long_clip, "repeat": -1}).is_success
        wait_for_state(device, audio.CLIP_PLAYING, True)
        with device.stack.vapix(device.stack.accounts["viewer"]) as viewer:
            assert viewer.get("/axis-cgi/stopclip.cgi").text.split() == ["OK", "stopping"]
        wait_for_state(device, audio.CLIP_PLAYING, False)
    with device.stack.vapix(device.stack.accounts["admin"]) as admin:
        log = admin.get("/axis-cgi/systemlog.cgi", params={"text": "playing clip"})
    assert f"playing clip {clip} (Door) at 50 % volume" in log.text
    assert f"playing clip {long_clip} (l) at 100 % volume, until stopped" in log.text


def test_play_by_location(device: AudioDevice) -> None:
    """location= names a clip by its MediaClip.M#.Location, '*' for any characters, or,
    as scripts for Axis devices do, by the name it was uploaded as."""
    clip = uploaded_id(upload(device, encode(sine(650, 0.3, 16000), 16000, "wav"),
                              "ding dong.wav"))
    mediaclip = "/axis-cgi/mediaclip.cgi"
    with device.stack.vapix(device.stack.accounts["operator"]) as operator:
        where = f"MediaClip.M{clip}.Location"
        location = operator.get("/axis-cgi/param.cgi", params={"action": "list", "group": where}
                                ).text.strip().split("=", 1)[1]
        for asked in (location, "ding dong.wav", "*dong*", "*/" + location.rsplit("/", 1)[1]):
            reply = operator.get(mediaclip, params={"action": "play", "location": asked})
            assert reply.text.split() == ["OK", f"playing={clip}"], asked
        operator.get("/axis-cgi/stopclip.cgi")
        wait_for_state(device, audio.CLIP_PLAYING, False)
        for asked, error in (("nothing*.mp3", "there is no clip at 'nothing*.mp3'"),
                             ("ding", "there is no clip at 'ding'")):
            refused = operator.get(mediaclip, params={"action": "play", "location": asked})
            assert (refused.status_code, refused.text) == (400, f"Error: {error}\n")
        both = operator.get(mediaclip, params={"action": "play", "clip": clip,
                                               "location": "ding dong.wav"})
        assert both.status_code == 400 and "not both" in both.text
    device.start_listening()
    with device.stack.vapix(device.stack.accounts["viewer"]) as viewer:
        reply = viewer.get("/axis-cgi/playclip.cgi", params={"location": "ding dong.wav"})
        assert reply.text.split() == ["OK", f"playing={clip}"]
    assert dominant_frequency(device.heard(), 48000) == pytest.approx(650, rel=0.003)


def wait_for_state(device: AudioDevice, key: str, value: object) -> None:
    wait_until(lambda: device.stack.bus().state().get(key) == value, what=f"{key} = {value}")


def test_rename_download_remove(device: AudioDevice) -> None:
    data = encode(sine(500, 0.3, 8000), 8000, "au")
    clip = uploaded_id(upload(device, data, "bell.au"))
    with device.stack.vapix(device.stack.accounts["operator"]) as operator:
        reply = operator.get("/axis-cgi/mediaclip.cgi",
                             params={"action": "update", "clip": clip, "name": "Bell"})
        assert reply.text.split() == ["OK", f"updated={clip}"]
        download = operator.get("/axis-cgi/mediaclip.cgi",
                                params={"action": "download", "clip": clip})
        assert download.content == data
        assert download.headers["content-type"] == "audio/basic"
        reply = operator.get("/axis-cgi/mediaclip.cgi", params={"action": "remove", "clip": clip})
        assert reply.text.split() == ["OK", f"removed={clip}"]
        again = operator.get("/axis-cgi/mediaclip.cgi", params={"action": "play", "clip": clip})
        assert again.status_code == 400 and f"there is no clip {clip}" in again.text


@pytest.mark.parametrize(("fmt", "rate"), [("wav", 16000), ("mp3", 44100), ("vorbis", 22050)])
def test_download_gives_au_whatever_was_uploaded(device: AudioDevice, fmt: str, rate: int) -> None:
    """VAPIX hands clips out as audio/basic: an AU file of 8 kHz mu-law."""
    clip = uploaded_id(upload(device, encode(sine(500, 0.8, rate), rate, fmt), f"chime.{fmt}"))
    try:
        with device.stack.vapix(device.stack.accounts["operator"]) as operator:
            download = operator.get("/axis-cgi/mediaclip.cgi",
                                    params={"action": "download", "clip": clip})
        assert download.headers["content-type"] == "audio/basic"
        assert 'filename="chime.au"' in download.headers["content-disposition"]
        magic, offset, size, encoding, au_rate, channels = struct.unpack_from(
            ">4s5I", download.content)
        assert (magic, encoding, au_rate, channels) == (b".snd", 1, 8000, 1)  # 1: mu-law
        samples = s16_to_float(ulaw_decode(download.content[offset:]))
        assert len(samples) == size
        assert size / 8000 == pytest.approx(0.8, abs=0.08)  # MP3 pads its ends
        assert dominant_frequency(samples[800:-800], 8000) == pytest.approx(500, rel=0.003)
    finally:
        with device.stack.vapix(device.stack.accounts["operator"]) as operator:
            operator.get("/axis-cgi/mediaclip.cgi", params={"action": "remove", "clip": clip})


def test_bad_uploads_get_a_clear_error_and_store_nothing(device: AudioDevice) -> None:
    before = device.clip_files()
    samples = {fmt: encode(sine(800, 1.0, rate), rate, fmt) for fmt, (_, rate) in GOOD.items()}
    cases = []
    for fmt, (filename, _) in GOOD.items():
        cases += [(data, filename) for data in truncations(samples[fmt])[1::2]]
        cases += [(data, filename) for data in DAMAGE[fmt](samples[fmt])[:3]]
    cases += [(samples["mp3"], "bell.wav"), (samples["wav"], "bell.opus"),
              (samples["opus"], "bell.mp3"), (b"<html>not audio</html>", "page.au"),
              (samples["wav"], "bell.aac")]
    for data, filename in cases:
        reply = upload(device, data, filename)
        assert reply.status_code == 400, (filename, len(data), reply.text)
        assert reply.text.startswith("Error: ") and len(reply.text) > 20
    assert device.clip_files() == before
    with device.stack.vapix(device.stack.accounts["operator"]) as operator:
        empty = operator.post(UPLOAD, files={})
        assert empty.status_code == 400 and "exactly one file" in empty.text
    assert device.call("ping") == {"ok": True}  # nothing fell over


def transmit(device: AudioDevice, content_type: str, body: bytes) -> httpx.Response:
    with device.stack.vapix(device.stack.accounts["viewer"]) as client:
        return client.post("/axis-cgi/audio/transmit.cgi", content=body,
                           headers={"Content-Type": content_type}, timeout=60)


RECEIVE = "/axis-cgi/audio/receive.cgi"


def audio_params(device: AudioDevice, **changes: str) -> dict[str, str]:
    """root.Audio as an administrator lists it, after `changes` (which must apply)."""
    with device.stack.vapix(device.stack.accounts["admin"]) as admin:
        if changes:
            reply = admin.post("/axis-cgi/param.cgi", data={"action": "update", **changes})
            assert reply.text == "OK\n", reply.text
        listing = admin.get("/axis-cgi/param.cgi", params={"action": "list", "group": "Audio"})
    return dict(line.removeprefix("root.Audio.").split("=", 1)
                for line in listing.text.splitlines())


def can_listen(client: httpx.Client) -> bool:
    with client.stream("GET", RECEIVE) as listening:
        return listening.status_code == 200


def test_transmitted_audio_comes_out_intact(device: AudioDevice) -> None:
    with device.stack.vapix(device.stack.accounts["admin"]) as admin:
        # A deep jitter buffer: what comes out must not depend on how busy the machine is.
        reply = admin.get("/axis-cgi/param.cgi",
                          params={"action": "update", "Audio.ReceiverBuffer": "300"})
        assert reply.text.strip() == "OK"
    wait_until(lambda: device.call("status")["settings"]["receiver_buffer_ms"] == 300,
               what="the engine to take the buffer")
    signal = speechlike(16000, 1.5)
    body = ulaw_encode(float_to_s16(signal))
    device.start_listening()
    reply = transmit(device, "audio/axis-mulaw-128", body)
    assert reply.status_code == 200 and reply.text.startswith("OK"), reply.text
    heard = device.heard() / db_to_gain(-6)
    sent = Resampler(16000, 48000).process(s16_to_float(ulaw_decode(body)))
    assert bursts(heard)[0].seconds == pytest.approx(1.5, abs=0.03)
    assert similarity(heard, sent) > 0.99


@pytest.mark.parametrize(("content_type", "body", "status", "words"), [
    ("audio/mpeg", encode(sine(440, 0.5, 44100), 44100, "mp3"), 415, "not supported"),
    ("audio/axis-mulaw-128", encode(sine(440, 0.5, 44100), 44100, "mp3"), 415, "MP3"),
    ("audio/basic", encode(sine(440, 0.5, 48000), 48000, "opus"), 415, "Ogg Opus"),
    ("audio/axis-mulaw-128", wav_header(44100, 2, 1, 16) + bytes(4000), 415, "WAV stream"),
    ("audio/wav", b"RIFF\xff\xff\xff\xffWAVEfmt \x10\x00", 400, "ends inside its WAV header"),
    ("audio/wav", encode(sine(440, 0.2, 8000), 8000, "au"), 415, "AU"),
    ("audio/axis-mulaw-128", b"", 400, "holds no audio"),
    ("text/plain", b"hello", 415, "text/plain is not supported"),
])
def test_bad_live_streams_are_refused(device: AudioDevice, content_type: str, body: bytes,
                                      status: int, words: str) -> None:
    reply = transmit(device, content_type, body)
    assert reply.status_code == status, reply.text
    assert words in reply.text
    assert device.call("ping") == {"ok": True}


def test_a_stream_cut_short_stops_cleanly(device: AudioDevice) -> None:
    """A client that goes away mid-stream: the device plays what came and carries on,
    taking the next stream at once rather than after the receiver timeout."""
    body = ulaw_encode(float_to_s16(sine(600, 3.0, 16000)))
    audio_params(device, **{"Audio.ReceiverTimeout": "60000"})
    account = device.stack.accounts["viewer"]
    with httpx.Client(base_url=device.stack.http_url, timeout=30) as client:
        challenge = client.post("/axis-cgi/audio/transmit.cgi", content=b"")
        assert challenge.status_code == 401
    stop = threading.Event()

    def body_then_hang_up():
        for start in range(0, len(body) // 3, 1024):
            yield body[start : start + 1024]
        stop.set()
        raise ConnectionAbortedError("the client went away")

    with httpx.Client(base_url=device.stack.http_url,
                      auth=httpx.DigestAuth(account.name, account.password),
                      timeout=30) as client:
        # Digest needs the body twice: send a small authenticated request first, then the
        # streamed one with the same credentials cached by httpx.
        client.get("/axis-cgi/stopclip.cgi")
        with pytest.raises((httpx.HTTPError, ConnectionAbortedError)):
            client.post("/axis-cgi/audio/transmit.cgi", content=body_then_hang_up(),
                        headers={"Content-Type": "audio/axis-mulaw-128"})
    assert stop.is_set()
    try:
        short = ulaw_encode(float_to_s16(sine(600, 0.1, 8000)))
        wait_until(lambda: transmit(device, "audio/basic", short).status_code == 200,
                   timeout=20, what="the device to take a live stream again")
    finally:
        audio_params(device, **{"Audio.ReceiverTimeout": "5000"})
    assert device.call("ping") == {"ok": True}


def test_anonymous_viewing_does_not_let_strangers_play_sound(device: AudioDevice) -> None:
    """Anonymous viewing is for looking: transmit.cgi, playclip.cgi and stopclip.cgi (which
    could silence an alarm) challenge a caller without credentials, who may still listen,
    and an account plays as before."""
    clip = uploaded_id(upload(device, encode(sine(700, 0.2, 8000), 8000, "au"), "s.au"))
    speech = ulaw_encode(float_to_s16(sine(600, 0.2, 8000)))
    with device.stack.vapix(device.stack.accounts["admin"]) as admin:
        assert admin.post("/axis-cgi/param.cgi", data={
            "action": "update", "System.AnonymousViewing": "yes"}).text == "OK\n"
    try:
        with httpx.Client(base_url=device.stack.http_url, timeout=30) as stranger:
            talk = stranger.post("/axis-cgi/audio/transmit.cgi", content=speech,
                                 headers={"Content-Type": "audio/basic"})
            play = stranger.get("/axis-cgi/playclip.cgi", params={"clip": clip})
            stop = stranger.get("/axis-cgi/stopclip.cgi")
            with stranger.stream("GET", "/axis-cgi/audio/receive.cgi") as listen:
                assert listen.status_code == 200
        for refused in (talk, play, stop):
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Digest ")
        played = transmit(device, "audio/basic", speech)
        assert played.status_code == 200, played.text
    finally:
        with device.stack.vapix(device.stack.accounts["admin"]) as admin:
            admin.post("/axis-cgi/param.cgi", data={
                "action": "update", "System.AnonymousViewing": "no"})


def test_receive_streams_the_microphone(device: AudioDevice) -> None:
    device.card.set_scene(sine(750, 0.5, amplitude=0.5), 48000)
    params = {"audiocodec": "g711", "audiosamplerate": 16000}
    with device.stack.vapix(device.stack.accounts["viewer"]) as client, \
            client.stream("GET", "/axis-cgi/audio/receive.cgi", params=params) as reply:
        assert reply.headers["content-type"] == "audio/axis-mulaw-128"
        data = b""
        for chunk in reply.iter_bytes():
            data += chunk
            if len(data) >= 32000:
                break
    samples = s16_to_float(ulaw_decode(data[16000:32000]))
    assert dominant_frequency(samples, 16000) == pytest.approx(750, rel=0.003)
    with device.stack.vapix(device.stack.accounts["viewer"]) as client:
        bad = client.get("/axis-cgi/audio/receive.cgi", params={"audiocodec": "aac"})
        assert bad.status_code == 400


def test_the_audio_group_says_what_the_device_does(device: AudioDevice) -> None:
    audio = audio_params(device)
    assert {k: audio[k] for k in ("DSCP", "DuplexMode", "NbrOfConfigs", "A0.Enabled",
                                  "A0.HTTPMessageType", "A0.NbrOfChannels", "A0.Source")} == {
        "DSCP": "0", "DuplexMode": "full", "NbrOfConfigs": "1", "A0.Enabled": "yes",
        "A0.HTTPMessageType": "singlepart", "A0.NbrOfChannels": "1", "A0.Source": "0"}
    assert {"ReceiverBuffer", "ReceiverTimeout", "A0.Name"} <= set(audio)
    with device.stack.vapix(device.stack.accounts["admin"]) as admin:
        for name, value in (("Audio.DuplexMode", "half"), ("Audio.MaxListeners", "20"),
                            ("Audio.A0.Source", "1"), ("Audio.DSCP", "46")):
            reply = admin.post("/axis-cgi/param.cgi", data={"action": "update", name: value})
            assert reply.text.startswith(f"# Error: Error setting '{name}'"), name
            assert "read-only" in reply.text
    viewer = device.stack.accounts["viewer"]
    speech = ulaw_encode(float_to_s16(sine(600, 0.3, 8000)))
    with device.stack.vapix(viewer) as client, contextlib.ExitStack() as streams:
        listening = [streams.enter_context(client.stream("GET", RECEIVE))
                     for _ in range(int(audio["MaxListeners"]))]
        assert [r.status_code for r in listening] == [200] * len(listening)
        one_more = client.get(RECEIVE)
        assert one_more.status_code == 503 and "the most the device serves" in one_more.text
        # Full duplex: the speaker plays a live stream while they listen.
        played = transmit(device, "audio/basic", speech)
        assert played.status_code == 200, played.text
        assert all(len(next(r.iter_bytes())) > 0 for r in listening)
    with device.stack.vapix(viewer) as client:
        wait_until(lambda: can_listen(client), what="the listeners' places to be free")


def test_audio_to_listeners_can_be_turned_off(device: AudioDevice) -> None:
    with device.stack.vapix(device.stack.accounts["viewer"]) as client:
        with client.stream("GET", RECEIVE) as listening:
            assert listening.status_code == 200
            try:
                audio_params(device, **{"Audio.A0.Enabled": "no"})
                heard = b"".join(listening.iter_bytes())  # ends: the listener is cut off
                assert len(heard) > 0
                refused = client.get(RECEIVE)
                assert refused.status_code == 503 and "turned off" in refused.text
            finally:
                audio_params(device, **{"Audio.A0.Enabled": "yes"})
        wait_until(lambda: can_listen(client), what="the engine to take Audio.A0.Enabled=yes")


def adc(device: AudioDevice, method: str, params: dict | None = None,
        role: str = "operator") -> dict:
    body = {"apiVersion": "1.0", "context": "t", "method": method, "params": params or {}}
    with device.stack.vapix(device.stack.accounts[role]) as client:
        reply = client.post("/axis-cgi/audiodevicecontrol.cgi", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_audio_device_control(device: AudioDevice) -> None:
    settings = adc(device, "getDevicesSettings")["data"]
    output = settings["devices"][0]["outputs"][0]
    channel = output["connectionTypes"][0]["signalingTypes"][0]["channels"][0]
    assert channel == {"id": 0, "gain": -6, "mute": False}
    capabilities = adc(device, "getDevicesCapabilities")["data"]
    gains = capabilities["devices"][0]["outputs"][0]["connectionTypes"][0][
        "signalingTypes"][0]["channels"][0]["gainValues"]
    assert -30 in gains and 0 in gains
    # The partial tree a C1410 client sends to set the volume.
    change = {"devices": [{"id": "0", "outputs": [{"id": "0", "connectionTypes": [
        {"id": "internal", "signalingTypes": [{"id": "unbalanced", "channels": [
            {"id": 0, "gain": -30, "mute": False}]}]}]}]}]}
    assert adc(device, "setDevicesSettings", change) == {
        "apiVersion": "1.0", "context": "t", "method": "setDevicesSettings", "data": {}}
    wait_until(lambda: device.call("status")["settings"]["output_gain"] == -30,
               what="the engine to take the new gain")
    change["devices"][0]["outputs"][0]["connectionTypes"][0]["signalingTypes"][0][
        "channels"][0]["gain"] = 5
    refused = adc(device, "setDevicesSettings", change)
    assert refused["error"]["code"] == 2104 and "gainValues" in refused["error"]["message"]
    assert adc(device, "setDevicesSettings", {"devices": [{"id": "7"}]})["error"]["code"] == 2104
    restore = {"devices": [{"id": "0", "outputs": [{"id": "0", "connectionTypes": [
        {"id": "internal", "signalingTypes": [{"id": "unbalanced", "channels": [
            {"id": 0, "gain": -6}]}]}]}]}]}
    assert "data" in adc(device, "setDevicesSettings", restore)
    assert adc(device, "getHazardousSettings")["data"] == {"powerTypes": []}
    with device.stack.vapix(device.stack.accounts["operator"]) as client:
        got = client.get("/axis-cgi/audiodevicecontrol.cgi")  # a GET: the API's own error
    assert got.json()["error"]["code"] == 2102
