"""The upgrade story's device, and where each of its chapters starts.

The chapters run in file order on one device, each from where the one before
left it. Each says where it starts (`Start`): when the device is elsewhere,
the chapter fails at once and says what it found, rather than run on a
half-changed device. After a chapter failed, the next one starts from a known
state: a fresh device, set up as at the story's start (root password,
settings) and brought to the chapter's start through the API; so does a
chapter run alone (pytest -k). A failure
prints what the device knows about it (its upgrade records, the update and
service logs of this boot, the console).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from qemu.vm import GuestError, restart_cause
from tests.update.device import Device

# Each test's reports by phase ("setup", "call", "teardown"), for the story to
# see which chapter failed (filled in by the hook in conftest.py).
CHAPTER_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
# A setting and an account the administrator made before upgrading.
SETTINGS = {"SIP.Port": "5070", "Network.HostName": "lobby-speaker"}
TERMINAL_CONTROL = re.compile(r"\x1b(\[[0-9;?=!]*[A-Za-z]|[()][A-Z0-9])")
UPDATE_CLIENT = "/usr/lib/herald/venv/bin/herald-update"
ON_DEVICE_REPORT = f"""
echo '$ herald-update status'; {UPDATE_CLIENT} status
echo '$ ls /data/herald/update'; ls -l /data/herald/update
for f in /data/herald/update/*.json; do echo "$ cat $f"; cat "$f"; echo; done
echo '$ journalctl -b (update, services)'
journalctl -b --no-pager -o short-monotonic -u herald-update-prepare -u herald-health \
    -u herald-worker -u herald-web -u herald-core | tail -n 150
"""


@dataclass(frozen=True)
class Start:
    """Where a chapter starts: the slot kept by the boot gate, the firmware it
    runs, and the firmware the other slot holds, good or given up (None:
    whatever it holds)."""

    slot: str
    version: str
    other: str | None = None

    def holds(self, found: Start | str) -> bool:
        return isinstance(found, Start) and (found.slot, found.version) == (
            self.slot, self.version) and self.other in (None, found.other)

    def __str__(self) -> str:
        other = f", slot {'AB'[self.slot == 'A']} holding {self.other}" if self.other else ""
        return f"slot {self.slot} kept, running {self.version}{other}"


class Story:
    """One device through all chapters; a new one after a chapter failed."""

    def __init__(self, work: Path, new: str, new_bundle: Path,
                 drives: dict[str, Path]) -> None:
        self.work = work
        self.drives = drives
        self.new = new
        self.new_bundle = new_bundle
        self.numbers = itertools.count(1)
        self.failed = ""  # the chapter that failed last, until the next one starts
        self.device = self.fresh_device()

    def fresh_device(self) -> Device:
        """A device on its first boot, set up as the administrator left it."""
        device = Device.create(self.work / f"vm{next(self.numbers)}", self.drives)
        try:
            device.start()
            if not device.has_update_client():
                pytest.fail("the test image does not run herald-update gate and prepare: "
                            "it cannot upgrade as the story needs")
            device.set_root_password()
            device.set_params(**SETTINGS)
            device.wait_committed("A")
            self.settings = device.settings_fingerprint()
            self.fresh = True
        except BaseException:
            device.stop()
            raise
        return device

    def begin(self, start: Start | None) -> Device:
        """The device at `start` for the next chapter: a fresh device (the first
        chapter's, or a new one after a failure) is brought there; one that went
        through the chapters before must already be there."""
        if self.failed:
            print(f"'{self.failed}' failed: this chapter starts on a fresh device", flush=True)
            self.failed = ""
            self.device.stop()
            self.device = self.fresh_device()
        if self.fresh:  # the story's first chapter (also one run alone), or after a failure
            self.fresh = False
            self._bring_to(start)
        if start is not None:
            found = self.where()
            if not start.holds(found):
                pytest.fail(f"this chapter starts from {start}, but the device is at {found}")
        return self.device

    def where(self) -> Start | str:
        """Where the device is now, as a Start, or why it is at none."""
        status = self.device.rpc("status")["data"]
        if not status["isCommited"]:
            return f"an upgrade not yet decided ({status})"
        # What the other slot holds, also when it was given up (VAPIX names it only if good).
        slots = json.loads(self.device.machine.run(f"{UPDATE_CLIENT} status 2>/dev/null",
                                                   check=True).output)["slots"]
        other = next((s["version"] for s in slots if not s["running"] and s["version"]), None)
        return Start(status["activeFirmwarePart"], status["activeFirmwareVersion"], other)

    def _bring_to(self, start: Start | None) -> None:
        """From a fresh device (slot A, its own firmware, slot B empty) to `start`."""
        if start is None:
            return
        if start.slot == "B" or start.other == self.new:
            self.device.upgrade_and_restart(self.new_bundle, self.new)
            self.device.wait_committed("B")
        if start.slot == "A" and start.other == self.new:
            self.device.roll_back()
            self.device.wait_committed("A")

    def chapter_failed(self, name: str) -> None:
        """Print what the device knows about the failure; the next chapter starts afresh."""
        self.failed = name
        print(self.report(), flush=True)

    def report(self) -> str:
        machine = self.device.machine
        console = TERMINAL_CONTROL.sub("", machine.console())
        lines = [f"the device's console, last lines:\n{console[-2500:]}"]
        lines += [f"it restarted itself once: {restart_cause(restart)}"
                  for restart in machine.restarts]
        if machine.process is not None and machine.process.poll() is None:
            try:
                lines.append(machine.run(ON_DEVICE_REPORT, timeout=60).output)
            except (GuestError, OSError) as exc:
                lines.append(f"the debug shell did not answer: {exc}")
        else:
            lines.append("the device is off (QEMU has ended)")
        return "\n".join(lines)

    def stop(self) -> None:
        self.device.stop()
