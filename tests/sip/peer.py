"""A SIP phone for the tests: a second baresip in the test's namespace,
sending a steady tone and keeping what it hears in a WAV file, driven over
its control channel with the service's own client (herald.sip.control)."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from herald.simulation.sound_card import die_with_parent
from herald.sip.config import MODULES
from herald.sip.control import Control
from tests.conftest import wait_until
from tests.sip.netns import ADDRESS, Namespace

CONTROL_PORT = 4444  # the first phone's; each further phone's is its SIP port's offset above
TONE = 1000  # Hz, what the phone's microphone hears


class Peer:
    def __init__(self, namespace: Namespace, work: Path, port: int, rtp_first: int,
                 account: str = "") -> None:
        """`account`: more of baresip's account parameters (";mediaenc=srtp")."""
        control = CONTROL_PORT + port % 100
        self.directory = work
        work.mkdir(parents=True)
        self.uri = f"sip:peer@{ADDRESS}:{port}"
        (work / "config").write_text("\n".join([
            "poll_method epoll", f"sip_listen {ADDRESS}:{port}", "net_interface lo",
            "audio_player aubridge,peer", f"audio_source ausine,{TONE}",
            "audio_alert aubridge,peer", "ausrc_srate 48000", "ausrc_channels 2",
            f"audio_path {work}",
            f"rtp_ports {rtp_first}-{rtp_first + 19}", f"module_path {MODULES}",
            *(f"module {m}.so" for m in ("opus", "g722", "g711", "srtp", "aubridge", "ausine",
                                         "sndfile")),
            f"snd_path {work}", "module_app account.so", "module_app menu.so",
            "module ctrl_tcp.so", f"ctrl_tcp_listen 127.0.0.1:{control}", ""]))
        (work / "accounts").write_text(f"<{self.uri}>;regint=0;answermode=manual{account}\n")
        self.log = work / "baresip.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(namespace.command("baresip", "-f", str(work)),
                                            stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        wait_until(lambda: self.process.poll() is not None
                   or b"baresip is ready." in self.log.read_bytes(), what="the SIP phone")
        if self.process.poll() is not None:
            pytest.fail(f"the SIP phone's baresip exited: {self.log.read_text()}")
        self.events: list[dict[str, Any]] = []
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        sock = namespace.connect(control)
        self.control: Control = self._run(self._connect(sock))

    async def _connect(self, sock: Any) -> Control:
        reader, writer = await asyncio.open_connection(sock=sock)
        return Control(reader, writer, self.events.append)

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def command(self, name: str, params: str = "") -> str:
        return self._run(self.control.command(name, params))

    def wait_event(self, kind: str) -> dict[str, Any]:
        return wait_until(lambda: next((e for e in self.events if e.get("type") == kind), None),
                          what=f"the SIP phone's {kind}")

    def wait_heard(self, seconds: float, rate: int = 48000, channels: int = 2) -> None:
        """Until the phone has heard `seconds` of its call (its recording,
        written as it goes, is 16-bit at the codec's rate and channels; Opus's
        by default)."""
        def length() -> float:
            recordings = sorted(self.directory.glob("dump-*-dec.wav"))
            return recordings[-1].stat().st_size / (rate * channels * 2) if recordings else 0.0
        wait_until(lambda: length() >= seconds, what=f"the phone to hear {seconds} s of its call")

    def decoder(self) -> str:
        """The codec the phone decodes the call with, as its log says ("PCMA 8000Hz 1ch")."""
        said = [line for line in self.log.read_text(errors="replace").splitlines()
                if "Set audio decoder:" in line]
        return said[-1].split("Set audio decoder:")[1].strip() if said else ""

    def heard(self) -> tuple[np.ndarray, int]:
        """What the phone heard in its last call (mono), and its sample rate;
        once the call has ended."""
        recording = sorted(self.directory.glob("dump-*-dec.wav"))[-1]

        def finished() -> wave.Wave_read | None:  # its header is written as the call ends
            try:
                return wave.open(str(recording))
            except (wave.Error, EOFError):
                return None
        with wait_until(finished, what=f"the phone's recording {recording.name}") as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
            samples = samples.reshape(-1, wav.getnchannels())[:, 0]
            return samples.astype(np.float32) / 32768, wav.getframerate()

    def close(self) -> None:
        self._run(self.control.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.process.terminate()
        self.process.wait(timeout=10)
