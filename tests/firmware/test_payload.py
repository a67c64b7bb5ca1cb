"""Payloads cross the bus as JSON and come back as the dataclasses their
contract defines, nested parts included; a shape of another schema is
refused, not guessed at."""

from __future__ import annotations

import json

import pytest

from herald.recordings.contract import Ongoing, Recording
from herald.system.contract import Clients, TimeSync
from herald.update.contract import FirmwareStatus, PendingUpgrade, SlotState, UpgradeResult


def over_the_bus(payload: dict) -> dict:
    return json.loads(json.dumps(payload))


@pytest.mark.parametrize("payload", [
    FirmwareStatus("0.2.0", "B", (SlotState("A", False, False, True, "0.1.0", "2026-12-01"),
                                  SlotState("B", True, True, False, "0.2.0", "")),
                   PendingUpgrade("autorollback", "installed", "A", "0.1.0", "0.2.0", 600),
                   UpgradeResult("upgraded", "0.2.0", "Upgraded.", 1.5)),
    FirmwareStatus("0.1.0", "A", (), None, None),
    Ongoing((Recording("Recording 3", "Microphone", "SD card"),)),
    Clients(()),
    TimeSync("chrony", True, "ntp.example.org", 35),
], ids=lambda p: type(p).__name__)
def test_a_payload_comes_back_as_it_was_sent(payload):
    assert type(payload).from_dict(over_the_bus(payload.to_dict())) == payload


def test_a_payload_of_another_schema_is_refused():
    raw = {**TimeSync(None, None).to_dict(), "schema": 2}
    with pytest.raises(ValueError, match="TimeSync of schema 2; this firmware reads schema 1"):
        TimeSync.from_dict(raw)
