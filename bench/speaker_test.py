"""Benchmark of the speaker test on the host: herald-core on the file-backed
sound card, in a simulated room where the microphone hears the speaker.

Prints:
* how long a calibration and a test take, from the request to the result
  (median of the test runs), and the duration the service reports;
* herald-core's CPU time over a test, and over as long an idle stretch (the
  engine's own playback and capture threads), so the difference is what the
  test costs;
* the CPU time of the analysis alone (deconvolution and bands, numpy), per run.

The budget is 5 s per test (issue 16).

Usage: .venv/bin/python bench/speaker_test.py [--runs 5] [--json]
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from figures import arguments, figures, note

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "firmware"), str(REPO / "webadmin")]

from herald.audio import contract, sweep  # noqa: E402
from herald.audio.resample import Resampler  # noqa: E402
from herald.audio.speakertest import SWEEP_DBFS  # noqa: E402
from herald.simulation.sound_card import FileAudioDevices  # noqa: E402
from tests.audio.conftest import _run_core  # noqa: E402
from tests.audio.test_speaker_test import ROOM_DB, ROOM_DELAY_MS, run  # noqa: E402
from tests.conftest import redis_server  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def analysis_cpu(runs: int) -> float:
    """CPU seconds of one analysis, on a recording as the microphone delivers it."""
    heard = Resampler(48000, 16000).process(sweep.stimulus(48000, SWEEP_DBFS) * 0.3)
    heard = heard + np.random.default_rng(1).normal(0, 1e-3, len(heard))
    started = time.process_time()
    for _ in range(runs):
        sweep.analyse(heard, 16000)
    return (time.process_time() - started) / runs


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--runs", type=int, default=5, help="tests to time")
    options = parser.parse_args()
    with figures(options) as report, tempfile.TemporaryDirectory(prefix="h-st-") as tmp:
        root = Path(tmp)
        for part in ("card", "redis", "data"):
            (root / part).mkdir()
        with FileAudioDevices(root / "card") as card, \
                redis_server(root / "redis") as redis_url, \
                contextlib.closing(_run_core(root / "data", redis_url, card)) as cores:
            core = next(cores)
            card.set_room(ROOM_DB, ROOM_DELAY_MS)
            started = time.monotonic()
            calibration = run(core, contract.SPEAKER_TEST_CALIBRATE)
            report.add("calibration_wall", time.monotonic() - started, "s")
            note(f"calibration: {calibration.verdict}")
            walls, reported, busy = [], [], []
            for _ in range(options.runs):
                cpu, started = cpu_seconds(core.process.pid), time.monotonic()
                result = run(core, contract.SPEAKER_TEST_RUN)
                walls.append(time.monotonic() - started)
                busy.append(cpu_seconds(core.process.pid) - cpu)
                reported.append(result.seconds)
                note(f"test: {result.verdict}", result.message)
            report.add("test_wall_median", statistics.median(walls), "s")
            report.add("test_wall_max", max(walls), "s")
            report.add("test_reported_median", statistics.median(reported), "s")
            report.add("test_core_cpu_median", statistics.median(busy), "s")
            cpu = cpu_seconds(core.process.pid)
            time.sleep(statistics.median(walls))  # the same span with nothing to do
            report.add("idle_core_cpu_same_span", cpu_seconds(core.process.pid) - cpu, "s")
        report.add("analysis_cpu", analysis_cpu(20) * 1000, "ms")


if __name__ == "__main__":
    main()
