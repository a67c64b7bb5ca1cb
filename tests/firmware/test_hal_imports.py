"""The HAL is the bottom layer: it imports neither the simulation nor the audio engine."""

from __future__ import annotations

import ast
from pathlib import Path

import herald.hal


def test_the_hal_imports_no_simulation_and_no_audio_engine():
    for module in Path(herald.hal.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("herald.simulation", "herald.audio")), \
                    f"{module.name} imports {name}"
