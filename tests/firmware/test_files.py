"""Files replaced whole: old or new content, and readable by whom the umask allows."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from herald.files import TEMPORARY, replace_atomically


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_replaced_file_has_the_new_content_and_no_temporary_is_left(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("old")
    replace_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_a_record_written_by_root_stays_readable_by_the_services(
        tmp_path: Path, umask_022: None) -> None:
    """herald-health writes the slot records as root; the services (another user)
    read them: the mode follows the umask as with open(), not mkstemp's 0600."""
    target = tmp_path / "slots.json"
    replace_atomically(target, b"{}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        replace_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMPORARY)]
