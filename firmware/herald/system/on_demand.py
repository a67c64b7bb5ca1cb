"""Services a setting turns on run only while it does: herald-snmp (System >
SNMP), herald-mqtt (System > MQTT), herald-sip (System > SIP) and the SSH
server (Network.SSH.Enabled), all off by default. Started at every boot,
they cost the device seconds of CPU while it starts, and their memory
after, for nothing (and an SSH server nobody asked for is one more door).
herald-system starts and stops their systemd units as the settings change,
and sets them right when it starts itself (a power cut between a change
and its announcement, a restore, a factory default)."""

from __future__ import annotations

import asyncio
import logging
import subprocess

from herald.bus import AsyncBus
from herald.environment import Environment
from herald.mqtt import contract as mqtt
from herald.params import ParamStore
from herald.params import contract as params_contract
from herald.params.follow import apply_on_changes
from herald.params.groups.network import SSH_ENABLED
from herald.sip import contract as sip
from herald.snmp import contract as snmp

log = logging.getLogger(__name__)

UNITS = {snmp.ENABLED: "herald-snmp.service", mqtt.ENABLED: "herald-mqtt.service",
         sip.ENABLED: "herald-sip.service", SSH_ENABLED: "ssh.service"}
COMMAND_SECONDS = 60


class OnDemandUnits:
    """Each unit of UNITS running exactly while its setting is "yes"."""

    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore) -> None:
        self.bus, self.params = bus, params
        self.command = environment.unit_command  # none on a development host
        self.applied: dict[str, bool] = {}  # unit: started (True) or stopped

    async def follow(self) -> None:
        """Set the units right now, then again whenever one of their settings changes."""
        changes = await self.bus.subscribe(params_contract.CHANGED)
        await apply_on_changes(changes, UNITS.__contains__, self.apply, first=True)

    async def apply(self) -> None:
        values = await asyncio.to_thread(self.params.snapshot)
        for setting, unit in UNITS.items():
            wanted = values.get(setting) == "yes"
            if self.applied.get(unit) == wanted:
                continue
            if unit not in self.applied and not wanted and not await self._active(unit):
                # As at every boot: nothing to stop, and no authorization to ask
                # for (polkit would be started for nothing while the device boots).
                self.applied[unit] = False
            elif await self._change("start" if wanted else "stop", unit):
                self.applied[unit] = wanted

    async def _active(self, unit: str) -> bool:
        """Whether systemd runs `unit` (asking changes nothing: no authorization)."""
        return bool(self.command) and (
            await self._systemctl("is-active", "--quiet", unit)).returncode == 0

    async def _change(self, verb: str, unit: str) -> bool:
        """Whether systemd took the job; a development host has none to take."""
        if not self.command:
            return True
        # --no-block: the job is queued; the unit's own start is systemd's to watch.
        done = await self._systemctl("--no-block", verb, unit)
        if done.returncode != 0:
            log.error("systemctl --no-block %s %s failed: %s", verb, unit, done.stderr.strip())
            return False
        log.info("systemctl %s %s: its setting says so", verb, unit)
        return True

    async def _systemctl(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        command = [*self.command, *arguments]
        try:
            return await asyncio.to_thread(subprocess.run, command, timeout=COMMAND_SECONDS,
                                           capture_output=True, text=True)
        except (OSError, subprocess.SubprocessError) as exc:  # no systemctl, or it hung
            return subprocess.CompletedProcess(command, 1, "", str(exc))
