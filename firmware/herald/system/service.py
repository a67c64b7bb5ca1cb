"""The system service (herald-system): restarts and resets the device when
asked (contract.py), keeps the system's facts on the bus for the Status page
(time sync, connected clients), the network interfaces for the events
service, and the log files on the data partition bounded; runs the services
a setting turns on while it does (on_demand.py); applies the date and time
settings (time_settings.py); sends the system log to the remote syslog
servers (remote_syslog.py) and reads it, with the journal, for the web
admin (system_log.py), as it does the core dumps' records (coredumps.py).
A daemon of its own, so that Restart works while audio is stuck."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import subprocess
from collections.abc import Awaitable, Callable
from typing import Any

from herald.bus import PING, AsyncBus
from herald.environment import Environment
from herald.params import ParamStore
from herald.payload import Payload
from herald.system import connections, contract, coredumps, logs, system_log, timesync
from herald.system.network import read_network
from herald.system.on_demand import OnDemandUnits
from herald.system.remote_syslog import RemoteSyslog
from herald.system.reset import finish_firmware_part
from herald.system.reset_record import ResetRecord
from herald.system.time_settings import TimeSettings

log = logging.getLogger(__name__)

REFRESH_SECONDS = 10.0
ROTATE_SECONDS = 300.0
REBOOT_SECONDS = 60


class SystemService:
    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore,
                 refresh_seconds: float = REFRESH_SECONDS,
                 rotate_seconds: float = ROTATE_SECONDS) -> None:
        self.bus, self.environment, self.params = bus, environment, params
        self.refresh_seconds, self.rotate_seconds = refresh_seconds, rotate_seconds
        self.tasks: list[asyncio.Task] = []
        self.resetting = asyncio.Lock()
        self.on_demand = OnDemandUnits(bus, environment, params)
        self.time = TimeSettings(bus, environment, params)
        self.remote_syslog = RemoteSyslog(bus, environment, params)

    @property
    def handlers(self) -> dict[str, Any]:
        return {contract.RESTART: self.restart, contract.RESET: self.reset,
                contract.SET_TIME: self.time.set_time,
                contract.SYSLOG_TEST: self.remote_syslog.send_test,
                contract.SYSTEM_LOG: self.system_log,
                contract.COREDUMP_INFO: self.coredump_info, PING: self.ping}

    async def ping(self) -> dict[str, Any]:
        return {"ok": True}

    async def start(self) -> None:
        """Finish a reset a power cut interrupted, then keep the facts fresh."""
        if await asyncio.to_thread(finish_firmware_part, self.environment, self.params):
            log.warning("finished the reset that was interrupted")
        self.tasks = [
            asyncio.create_task(self._every(self.refresh_seconds, self.refresh), name="facts"),
            asyncio.create_task(self._every(contract.NETWORK_SECONDS, self.refresh_network),
                                name="network"),
            asyncio.create_task(self._every(self.rotate_seconds, self.rotate), name="logs"),
            asyncio.create_task(self.on_demand.follow(), name="on-demand units"),
            asyncio.create_task(self.time.follow(), name="date and time"),
            asyncio.create_task(self.remote_syslog.follow(), name="remote syslog"),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def system_log(self, text: str = "") -> dict[str, Any]:
        if not isinstance(text, str) or len(text) > contract.SYSTEM_LOG_TEXT_CHARS:
            return {"ok": False, "message": "The text to look for is at most "
                                            f"{contract.SYSTEM_LOG_TEXT_CHARS} characters."}
        return {"ok": True, "log": await asyncio.to_thread(system_log.read, self.environment, text)}

    async def coredump_info(self, name: str) -> dict[str, Any]:
        try:
            text = await asyncio.to_thread(coredumps.info, self.environment.coredumpctl,
                                           self.environment.coredump_dir, str(name))
        except coredumps.CoredumpError as exc:
            return {"ok": False, "message": str(exc)}
        return {"ok": True, "info": text}

    async def restart(self, by: str = "") -> dict[str, Any]:
        log.warning("restart requested by %s", by)
        async with self.resetting:  # a reset under way finishes first
            pass
        await self.bus.publish(contract.RESTARTING, **contract.Restarting(by).to_dict())
        command = self.environment.reboot_command
        if not command:
            log.warning("no reboot command is set (development mode): the device keeps running")
            return {"ok": True}
        try:
            await asyncio.to_thread(subprocess.run, command, check=True,
                                    timeout=REBOOT_SECONDS, capture_output=True)
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("the restart failed: %s", exc)
            return {"ok": False, "message": f"The device could not restart: {exc}"}
        return {"ok": True}

    async def reset(self, mode: str, by: str = "") -> dict[str, Any]:
        """Record a restore or factory default and clear the firmware's part."""
        if mode not in contract.RESET_MODES:
            return {"ok": False, "message": f"A reset is {' or '.join(contract.RESET_MODES)}, "
                                            f"not {mode!r}."}
        log.warning("%s requested by %s",
                    "restore" if mode == contract.RESTORE else "factory default", by)
        async with self.resetting:
            await asyncio.to_thread(ResetRecord(self.environment.data_dir).begin, mode)
            await asyncio.to_thread(finish_firmware_part, self.environment, self.params)
        return {"ok": True}

    async def refresh(self) -> None:
        """Publish time sync and connected clients when they differ from the bus's;
        the NTP servers DHCP gives may have changed."""
        await self.time.apply()
        time_sync = await asyncio.to_thread(timesync.status, self.environment.chronyc)
        await self._publish_changed({
            contract.TIME: dataclasses.replace(time_sync, problem=self.time.problem),
            contract.CLIENTS: contract.Clients(await asyncio.to_thread(connections.connected)),
        })

    async def refresh_network(self) -> None:
        """Publish the network interfaces when they changed: a link lost or an
        address added shows within NETWORK_SECONDS."""
        await self._publish_changed({contract.NETWORK: await asyncio.to_thread(read_network)})

    async def _publish_changed(self, facts: dict[str, Payload]) -> None:
        state = await self.bus.state()
        for key, payload in facts.items():
            value = json.loads(json.dumps(payload.to_dict()))  # as the bus gives it back
            if state.get(key) != value:
                await self.bus.set_state(key, value)

    async def rotate(self) -> None:
        rotated = await asyncio.to_thread(logs.rotate, self.environment)
        if rotated:
            log.info("rotated %s", ", ".join(rotated))

    @staticmethod
    async def _every(seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job` now and then every `seconds`; a failure is logged, not fatal."""
        while True:
            try:
                await job()
            except Exception:  # the bus or /proc may hiccup; the next round tries again
                log.exception("system service: %s failed", job.__name__)
            await asyncio.sleep(seconds)
