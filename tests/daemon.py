"""A firmware daemon in a process of its own, as systemd runs it on the device,
on a test's data directory and Redis (development mode)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from herald.simulation.sound_card import die_with_parent
from tests.conftest import REPO


def daemon_env(data: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """This process's environment with the daemon's data directory and Redis;
    a run directory of the developer's shell does not leak in."""
    env = {**os.environ, "HERALD_MODE": "development", "HERALD_DATA_DIR": str(data),
           "REDIS_URL": redis_url, "PYTHONPATH": str(REPO / "firmware"), **extra}
    env.pop("HERALD_RUN_DIR", None)
    return env


def start_daemon(module: str, env: Mapping[str, str], log: Path | None = None
                 ) -> subprocess.Popen:
    """`python -m module`, its output appended to `log` (dropped without one);
    it dies with the test process."""
    with (open(log, "ab") if log else contextlib.nullcontext(subprocess.DEVNULL)) as output:
        return subprocess.Popen([sys.executable, "-m", module], env=dict(env), stdout=output,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
