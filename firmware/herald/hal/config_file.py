"""Where a machine's hardware file is: its variable (development, tests) or
its place in /etc/herald (the image), or none on a host without either."""

from __future__ import annotations

import os
from pathlib import Path


def config_path(variable: str, installed: Path) -> Path | None:
    """The file to read; None when neither is there (the defaults apply).
    A file the variable names must exist: reading it says so if not."""
    configured = os.environ.get(variable)
    if configured:
        return Path(configured)
    return installed if installed.exists() else None
