"""Listen and record: continuous recordings (the recordings service in
herald-core) survive restarts of the service, also a hard one."""

from __future__ import annotations

import signal

import numpy as np
import pytest
import soundfile

from herald.recordings.contract import ONGOING, Ongoing
from tests.audio.signals import dominant_frequency, sine
from tests.audio.webstack import AudioDevice
from tests.conftest import wait_until
from tests.webadmin.stack import post_form


def recordings_dir(device: AudioDevice):
    return device.stack.data_dir / "recordings"


def recorded_seconds(path) -> float:
    try:
        return soundfile.info(path).duration
    except (RuntimeError, soundfile.LibsndfileError):
        return 0.0


def start(device: AudioDevice, client) -> int:
    reply = post_form(client, "/recordings/start/", {"storage": "data", "next": "/recordings/"},
                      token_from="/recordings/")
    assert reply.status_code == 302
    state = wait_until(lambda: device.stack.bus().state().get(ONGOING),
                       what="the recording to show as ongoing")
    return int(Ongoing.from_dict(state).recordings[0].name.split()[1])


def stop(device: AudioDevice, client) -> None:
    reply = post_form(client, "/recordings/stop/", {"next": "/recordings/"},
                      token_from="/recordings/")
    assert reply.status_code == 302
    wait_until(lambda: not device.stack.bus().state().get(ONGOING),
               timeout=30, what="the recording to stop")


@pytest.mark.slow
def test_a_recording_holds_what_the_microphone_heard(device: AudioDevice) -> None:
    device.card.set_scene(sine(440, 0.5, amplitude=0.4), 48000)
    with device.stack.browser(device.stack.accounts["operator"]) as client:
        number = start(device, client)
        path = recordings_dir(device) / f"recording-{number}.wav"
        wait_until(lambda: recorded_seconds(path) > 2.0, what="two seconds recorded")
        page = client.get("/recordings/")
        assert f"Recording {number}" in page.text and "recording…" in page.text
        stop(device, client)
        audio, rate = soundfile.read(path, dtype="float32")
        assert rate == 16000 and len(audio) > 2 * rate
        assert dominant_frequency(audio[-16000:], 16000) == pytest.approx(440, rel=0.003)
        assert np.sqrt(np.mean(audio[-16000:] ** 2)) == pytest.approx(0.4 / np.sqrt(2), rel=0.05)
        page = client.get("/recordings/")
        assert "Stopped" in page.text
        download = client.get(f"/recordings/{number}/")
        assert download.content == path.read_bytes()
        again = post_form(client, "/recordings/stop/", {}, token_from="/recordings/")
        assert "No recording is running." in client.get(again.headers["location"]).text
        deleted = post_form(client, f"/recordings/{number}/delete/", {},
                            token_from="/recordings/")
        assert deleted.status_code == 302 and not path.exists()


@pytest.mark.slow
def test_a_continuous_recording_resumes_after_a_restart_even_a_hard_one(
        device: AudioDevice) -> None:
    device.card.set_scene(sine(550, 0.5, amplitude=0.4), 48000)
    with device.stack.browser(device.stack.accounts["operator"]) as client:
        number = start(device, client)
        path = recordings_dir(device) / f"recording-{number}.wav"
        wait_until(lambda: recorded_seconds(path) > 2.0, what="two seconds recorded")
        # A power cut: herald-core dies at once, with the header some seconds behind.
        core = device.stack.processes["core"]
        core.send_signal(signal.SIGKILL)
        core.wait()
        before = path.stat().st_size
        device.stack.start_core()
        wait_until(lambda: path.stat().st_size > before + 3 * 32000, timeout=30,
                   what="the recording to go on in the same file")
        # An orderly restart: the recording carries on again.
        device.stack.processes["core"].send_signal(signal.SIGTERM)
        device.stack.processes["core"].wait(timeout=20)
        between = path.stat().st_size
        device.stack.start_core()
        wait_until(lambda: path.stat().st_size > between + 32000, timeout=30,
                   what="the recording to go on after the restart")
        stop(device, client)
    audio, _ = soundfile.read(path, dtype="float32")
    assert len(audio) * 2 + 44 == path.stat().st_size  # the header tells the whole length
    assert dominant_frequency(audio[-16000:], 16000) == pytest.approx(550, rel=0.003)


def test_recording_needs_the_input_on(device: AudioDevice) -> None:
    device.stack.bus()
    with device.stack.browser(device.stack.accounts["operator"]) as client:
        reply = post_form(client, "/audio/settings/", {
            "input_gain": "0", "input_type": "mic", "power_type": "off", "output_gain": "-6"},
            token_from="/audio/")
        assert reply.status_code == 302
        wait_until(lambda: not device.call("status")["input"]["enabled"], what="input off")
        refused = post_form(client, "/recordings/start/", {"storage": "data"},
                            token_from="/recordings/")
        assert "Turn the audio input on to record." in client.get(
            refused.headers["location"]).text
        assert "You can only listen and record when the input is on" in client.get(
            "/audio/").text
        post_form(client, "/audio/settings/", {
            "input_enabled": "on", "input_gain": "0", "input_type": "mic", "power_type": "off",
            "output_gain": "-6"}, token_from="/audio/")
        wait_until(lambda: device.call("status")["input"]["enabled"], what="input on")


def test_sound_level_on_the_detectors_page(device: AudioDevice) -> None:
    with device.stack.browser(device.stack.accounts["admin"]) as client:
        page = client.get("/system/detectors/")
        assert page.status_code == 200 and "Audio detection" in page.text
        post_form(client, "/system/detectors/audio/", {"sound_level_threshold": "70"},
                  token_from="/system/detectors/")
        wait_until(lambda: device.call("status")["settings"]["sound_level_threshold"] == 70,
                   what="the engine to take the new sound level")
        bad = post_form(client, "/system/detectors/audio/", {"sound_level_threshold": "170"},
                        token_from="/system/detectors/")
        assert "Sound level: Ensure this value is less than or equal to 100" in client.get(
            bad.headers["location"]).text
        post_form(client, "/system/detectors/audio/", {"sound_level_threshold": "50"},
                  token_from="/system/detectors/")
    with device.stack.browser(device.stack.accounts["operator"]) as client:
        assert client.get("/system/detectors/").status_code == 403


def test_listening_in_the_browser_streams_the_microphone(device: AudioDevice) -> None:
    device.card.set_scene(sine(600, 0.5, amplitude=0.4), 48000)
    with device.stack.browser(device.stack.accounts["operator"]) as client, \
            client.stream("GET", "/audio/listen/") as reply:
        assert reply.headers["content-type"] == "audio/wav"
        data = b""
        for chunk in reply.iter_bytes():
            data += chunk
            if len(data) > 44 + 32000:
                break
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    samples = np.frombuffer(data[44 + 16000 : 44 + 32000], dtype="<i2") / 32768
    assert dominant_frequency(samples, 16000) == pytest.approx(600, rel=0.003)
    with device.stack.browser(device.stack.accounts["viewer"]) as client:
        assert client.get("/audio/listen/").status_code == 403
