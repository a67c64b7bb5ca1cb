"""The upgrade record survives restarts and says what happened in plain words."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from herald.update.contract import (
    ABANDONED,
    AUTOROLLBACK,
    INSTALLED,
    INSTALLING,
    STANDARD,
    PendingUpgrade,
)
from herald.update.gate import result_back_on_old
from herald.update.pending import UpgradeRecords

PENDING = PendingUpgrade(STANDARD, INSTALLING, "A", "1.0.0", "1.1.0")


def test_pending_upgrade_round_trips_and_clears(tmp_path: Path) -> None:
    records = UpgradeRecords(tmp_path / "update")
    assert records.pending() is None
    records.save_pending(PENDING)
    assert UpgradeRecords(tmp_path / "update").pending() == PENDING
    installed = dataclasses.replace(PENDING, stage=INSTALLED)
    records.save_pending(installed)
    assert records.pending() == installed
    assert not list((tmp_path / "update").glob("*.tmp")), "no half-written file is left"
    records.clear_pending()
    records.clear_pending()  # clearing twice is harmless (a restart can repeat it)
    assert records.pending() is None


def test_a_record_no_firmware_wrote_is_reported_not_guessed(tmp_path: Path) -> None:
    records = UpgradeRecords(tmp_path)
    (tmp_path / "pending.json").write_text(json.dumps({**dataclasses.asdict(PENDING),
                                                       "kind": "sideways"}))
    with pytest.raises(ValueError, match=r"unreadable upgrade record.*sideways"):
        records.pending()
    (tmp_path / "pending.json").write_text("{truncated")
    with pytest.raises(ValueError, match="unreadable upgrade record"):
        records.pending()


def test_autorollback_needs_a_confirmation_time() -> None:
    with pytest.raises(ValueError, match="confirmation time"):
        PendingUpgrade(AUTOROLLBACK, INSTALLING, "A", "1.0.0", "1.1.0", confirm_seconds=0)


@pytest.mark.parametrize(("stage", "reason", "outcome", "message"), [
    (INSTALLING, "", "failed", "The upgrade to 1.1.0 did not finish; firmware 1.0.0 kept running."),
    (INSTALLED, "", "rolled back",
     "Firmware 1.1.0 did not start; the device returned to firmware 1.0.0."),
    (ABANDONED, "The upgrade to 1.1.0 was not confirmed within 5 minutes", "rolled back",
     "The upgrade to 1.1.0 was not confirmed within 5 minutes; the device returned to "
     "firmware 1.0.0."),
])
def test_back_on_the_old_firmware_the_result_says_why(
    stage: str, reason: str, outcome: str, message: str
) -> None:
    pending = dataclasses.replace(PENDING, stage=stage, reason=reason)
    result = result_back_on_old(pending, now=1.0)
    assert (result.outcome, result.version, result.message) == (outcome, "1.0.0", message)
