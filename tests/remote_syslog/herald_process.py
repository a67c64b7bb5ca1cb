"""A Herald process's log as the product writes it (herald.system.logs):
a process that logs each line it is given, at its level, to the system log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from herald.simulation.sound_card import die_with_parent
from tests.daemon import daemon_env

PROGRAM = """
import logging, sys
from herald.environment import current
from herald.system import logs
logs.setup(sys.argv[1], current(), logging.DEBUG)
for line in sys.stdin:
    level, _, text = line.rstrip("\\n").partition(" ")
    logging.getLogger("herald.test").log(getattr(logging, level.upper()), "%s", text)
"""


class HeraldProcess:
    def __init__(self, name: str, data: Path, redis_url: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", PROGRAM, name],
                                        env=daemon_env(data, redis_url), stdin=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True,
                                        preexec_fn=die_with_parent)

    def log(self, level: str, text: str) -> None:
        assert self.process.stdin
        self.process.stdin.write(f"{level} {text}\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=10)
