"""bb.process: run a command from metadata Python code."""

from __future__ import annotations

import subprocess
from typing import Any

from bake.errors import BakeError


class ExecutionError(BakeError):
    """A command exited non-zero; carries its exit code and output."""

    def __init__(self, command: Any, exitcode: int, stdout: str, stderr: str):
        self.command = command
        self.exitcode = exitcode
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"Execution of '{command}' failed with exit code {exitcode}:\n"
                         f"{stdout}{stderr}")


def run(cmd: str | list[str], **options: Any) -> tuple[str, str]:
    """Run `cmd` (a shell string or an argument list); return (stdout, stderr)."""
    shell = isinstance(cmd, str)
    result = subprocess.run(cmd, shell=shell, capture_output=True, text=True, check=False,
                            **options)
    if result.returncode:
        raise ExecutionError(cmd, result.returncode, result.stdout, result.stderr)
    return result.stdout, result.stderr
