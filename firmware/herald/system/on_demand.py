"""Services a setting turns on run only while it does: herald-snmp (System >
SNMP), herald-mqtt (System > MQTT) and the SSH server (Network.SSH.Enabled),
all off by default. Started at every boot, they cost the device seconds of
CPU while it starts, and their memory after, for nothing (and an SSH server
nobody asked for is one more door). herald-system starts and stops their systemd units as the
settings change, and sets them right when it starts itself (a power cut
between a change and its announcement, a restore, a factory default)."""

from __future__ import annotations

import asyncio
import logging
import subprocess

from herald.bus import AsyncBus
from herald.environment import Environment
from herald.mqtt import contract as mqtt
from herald.params import ParamStore
from herald.params import contract as params_contract
from herald.params.groups.network import SSH_ENABLED
from herald.snmp import contract as snmp

log = logging.getLogger(__name__)

UNITS = {snmp.ENABLED: "herald-snmp.service", mqtt.ENABLED: "herald-mqtt.service",
         SSH_ENABLED: "ssh.service"}
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
        try:
            await self.apply()
            async for event in changes:
                names = [*event.data.get("changed", {}), *event.data.get("removed", [])]
                if any(name in UNITS for name in names):
                    await self.apply()
        finally:
            await changes.close()

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
            elif await self._run(["--no-block", "start" if wanted else "stop", unit]):
                # --no-block: the job is queued; the unit's own start is systemd's to watch.
                self.applied[unit] = wanted

    async def _active(self, unit: str) -> bool:
        return bool(self.command) and await self._run(["is-active", "--quiet", unit],
                                                      quiet=True)

    async def _run(self, arguments: list[str], quiet: bool = False) -> bool:
        """Whether the command succeeded; a failure is logged unless `quiet`."""
        if not self.command:
            return True
        what = " ".join(arguments)
        try:
            await asyncio.to_thread(subprocess.run, [*self.command, *arguments],
                                    check=True, timeout=COMMAND_SECONDS, capture_output=True,
                                    text=True)
        except subprocess.CalledProcessError as exc:
            if quiet:
                return False
            log.error("systemctl %s failed: %s", what, exc.stderr.strip() or exc)
            return False
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("systemctl %s failed: %s", what, exc)
            return False
        if not quiet:
            log.info("systemctl %s: its setting says so", what)
        return True

