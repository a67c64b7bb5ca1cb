"""Fixtures for the engine tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from bake_helpers import copy_project


@pytest.fixture
def tmp_project(tmp_path: Path) -> Path:
    """A fresh copy of the `basic` test project."""
    return copy_project("basic", tmp_path)
