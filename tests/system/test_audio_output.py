"""In the QEMU image: a clip played through VAPIX comes out of the emulated
sound card, found by analysis in the WAV file QEMU writes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.audio.signals import bursts, dominant_frequency, encode, sine
from tests.conftest import wait_until
from tests.system.wav import qemu_wav

pytestmark = [pytest.mark.system, pytest.mark.slow]


def test_a_clip_played_through_vapix_comes_out_of_the_sound_card(device, root) -> None:
    wait_until(lambda: root.get("/axis-cgi/stopclip.cgi").status_code == 200,
               timeout=300, interval=2, what="the audio service in the guest")
    reply = root.post("/axis-cgi/mediaclip.cgi?action=upload&media=audio",
                      files={"file": ("tone.wav", encode(sine(1000, 1.0, 48000), 48000, "wav"),
                                      "audio/wav")})
    assert reply.status_code == 200, reply.text
    clip = int(reply.text.split()[1].removeprefix("Uploaded="))
    before = len(qemu_wav(device.audio_out)[0])
    reply = root.get("/axis-cgi/playclip.cgi", params={"clip": clip})
    assert reply.text.split() == ["OK", f"playing={clip}"]

    def tone_heard() -> tuple[np.ndarray, int] | None:
        """The tone once it has ended: QEMU writes the file as the card plays, and
        the speaker plays 0.3 s of silence after a clip, so a tone with less than
        0.15 s of quiet after it may still go on. A guest starved by a busy host
        may put a gap in it (an underrun): its parts together are the tone."""
        audio, rate = qemu_wav(device.audio_out)
        audio = audio[before:]
        parts = [b for b in bursts(audio, threshold=0.005) if b.end - b.start > 0.05 * rate]
        if not parts or len(audio) - parts[-1].end <= 0.15 * rate:
            return None
        if sum(b.end - b.start for b in parts) < 0.95 * rate:
            return None
        if len(parts) > 1:
            gaps = [round((b.start - a.end) / rate, 3) for a, b in itertools.pairwise(parts)]
            print(f"the tone came in {len(parts)} parts (gaps of {gaps} s)")
        return np.concatenate([audio[b.start : b.end] for b in parts]), rate

    tone, rate = wait_until(tone_heard, timeout=120, interval=1,
                            what="the whole tone in QEMU's WAV file")
    assert len(tone) / rate == pytest.approx(1.0, abs=0.05)
    assert dominant_frequency(tone, rate) == pytest.approx(1000, rel=0.01)
