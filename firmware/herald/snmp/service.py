"""The SNMP service (herald-snmp): runs the agent as the SNMP settings say,
makes it again when they change (and sends the warm start trap then, as the
manual says), keeps what the agent tells fresh from the bus, sends linkUp and
linkDown when herald-system's network interfaces change, and publishes its
status for the System > SNMP page.

A daemon of its own rather than a part of herald-core or herald-system: on
the device it alone needs to bind the privileged port 161, and a stuck or
failing agent stops neither audio nor Restart."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from herald.access import Level
from herald.audio import contract as audio
from herald.bus import PING, AsyncBus, BusError, Subscription, state_event
from herald.environment import Environment
from herald.params import ParamError, ParamStore
from herald.params import contract as params_contract
from herald.params.follow import apply_on_changes
from herald.snmp import contract
from herald.snmp.agent import Agent, bind, engine_id
from herald.snmp.mib import Audio, Interface, MibController, read_interfaces
from herald.snmp.settings import SYSTEM_GROUP, is_agent_setting, read_settings
from herald.system import contract as system
from herald.system.identity import this_device, this_firmware
from herald.update import contract as update

log = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0  # how old the audio and firmware facts may be
ASK_SECONDS = 1.0  # how long a refresh waits for the audio service
PASSWORD_FILE = "snmp-v3-initial"  # the v3 password as first set (secrets_dir)


def _centiseconds(seconds: float) -> int:
    return int(seconds * 100)


class DeviceFacts:
    """What the MIB tells, as `herald.snmp.mib.Facts` asks for it: the
    parameters read when asked, the bus's facts as last refreshed."""

    def __init__(self, params: ParamStore) -> None:
        self.params = params
        self.started = time.monotonic()
        self.firmware = (this_firmware().version, "")
        self.playing = Audio()
        self._interfaces: tuple[float, list[Interface]] = (0.0, [])

    def descr(self) -> str:
        snapshot = self.params.snapshot()
        return (f"Herald network speaker {snapshot.get('Properties.System.HardwareID')}, "
                f"firmware {self.firmware[0]}")

    def name(self) -> str:
        return self.params.get("Network.HostName")

    def contact(self) -> str:
        return self.params.get(SYSTEM_GROUP + "Contact")

    def location(self) -> str:
        return self.params.get(SYSTEM_GROUP + "Location")

    def set_system(self, which: str, value: str) -> None:
        """A manager's snmpset, stored as the page would store it."""
        try:
            self.params.update({SYSTEM_GROUP + which: value}, Level.ADMIN)
        except ParamError as exc:
            log.warning("refused an SNMP write of sys%s: %s", which, exc)
            raise
        log.info("sys%s set over SNMP", which)

    def agent_uptime(self) -> int:
        return _centiseconds(time.monotonic() - self.started)

    def host_uptime(self) -> int:
        return _centiseconds(float(Path("/proc/uptime").read_text().split()[0]))

    def interfaces(self) -> Sequence[Interface]:
        """Read at most once a second: a walk asks for each column of each row."""
        read_at, found = self._interfaces
        if time.monotonic() - read_at > REFRESH_SECONDS:
            found = read_interfaces()
            self._interfaces = (time.monotonic(), found)
        return found

    def ip_forwarding(self) -> bool:
        return Path("/proc/sys/net/ipv4/ip_forward").read_text().strip() == "1"

    def ip_default_ttl(self) -> int:
        return int(Path("/proc/sys/net/ipv4/ip_default_ttl").read_text())

    def firmware_version(self) -> str:
        return self.firmware[0]

    def active_slot(self) -> str:
        return self.firmware[1]

    def audio(self) -> Audio:
        return self.playing

    async def refresh(self, bus: AsyncBus) -> None:
        """The firmware (update service) and audio status (audio service)."""
        state = await bus.state()
        status = state.get(update.STATUS)
        if status:
            self.firmware = (status["version"], status["booted"])
        try:
            answer = audio.AudioStatus.from_dict(
                await bus.call(audio.SERVICE, audio.STATUS, timeout=ASK_SECONDS))
        except (BusError, ValueError) as exc:
            log.debug("no audio status: %s", exc)
            self.playing = Audio(clip_playing=bool(state.get(audio.CLIP_PLAYING)),
                                 live_active=bool(state.get(audio.LIVE_ACTIVE)))
            return
        clips = [v for v in answer.playing if v.kind == "clip"]
        self.playing = Audio(
            clip_playing=bool(clips), clip_name=clips[0].name if clips else "",
            live_active=any(v.kind == "live" for v in answer.playing),
            volume_db=answer.settings.output_gain, muted=answer.settings.output_mute)


class SnmpService:
    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore,
                 port: int, trap_port: int, host: str = "0.0.0.0") -> None:
        self.bus, self.environment, self.params = bus, environment, params
        self.port, self.trap_port, self.host = port, trap_port, host
        self.facts = DeviceFacts(params)
        self.controller = MibController(self.facts)
        self.agent: Agent | None = None
        self.tasks: list[asyncio.Task] = []
        self.sending: set[asyncio.Task] = set()  # traps under way
        # Each interface's link as herald-system last said (None: not said yet),
        # and its ifTable row as last seen, for the ifIndex of one that is gone.
        self.links: dict[str, bool] | None = None
        self.rows: dict[str, Interface] = {}

    @property
    def handlers(self) -> dict[str, Any]:
        return {PING: self.ping, contract.SEND_TRAP: self.send_trap}

    async def ping(self) -> dict[str, Any]:
        return {"ok": True}

    async def start(self) -> None:
        """The agent as configured, its cold start trap, then follow changes.
        The links known now are taken in: cold start tells of them."""
        changes = await self.bus.subscribe(params_contract.CHANGED)
        network = await self.bus.subscribe(state_event(system.NETWORK))
        await self.facts.refresh(self.bus)
        await self._network((await self.bus.state()).get(system.NETWORK))
        await self.configure()
        await self.notify("cold_start")
        self.tasks = [asyncio.create_task(apply_on_changes(changes, is_agent_setting,
                                                           self._restart), name="snmp settings"),
                      asyncio.create_task(self._follow_network(network), name="snmp links"),
                      asyncio.create_task(self._refresh(), name="snmp facts")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, *self.sending, return_exceptions=True)
        await self._close()

    async def _close(self) -> None:
        if self.agent is not None:
            await self.agent.close()
            self.agent = None

    async def _restart(self) -> None:
        log.info("the SNMP settings changed: the agent starts again")
        await self.configure()
        await self.notify("warm_start")

    async def _follow_network(self, network: Subscription) -> None:
        try:
            async for event in network:
                await self._network(event.data.get("value"))
        finally:
            await network.close()

    async def _network(self, raw: Any) -> None:
        """herald-system's network interfaces: a link that went down or came up
        since they were last said is a linkDown or linkUp trap. An interface
        that appears with its link up comes up; one that goes away while up
        goes down. The first interfaces said are only taken in."""
        if not raw:  # not said yet
            return
        try:
            interfaces = system.Network.from_dict(raw).interfaces
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            log.warning("network interfaces herald-snmp cannot read: %s", exc)
            return
        now = {i.name: i.up for i in interfaces}
        before, self.links = self.links, now
        if before is None:
            self._remember_rows()
            return
        changed = {name: up for name in sorted(set(now) | set(before))
                   if (up := now.get(name, False)) != before.get(name, False)}
        if changed:
            self._remember_rows()
        for name, up in changed.items():
            await self._link_changed(name, up)

    def _remember_rows(self) -> None:
        """The ifTable's rows as Linux has them now (the agent answers the same)."""
        self.rows.update((row.name, row) for row in read_interfaces())

    async def _link_changed(self, name: str, up: bool) -> None:
        row = self.rows.get(name)
        if row is None:
            log.warning("the link of %s went %s, but it has no ifIndex: no trap",
                        name, "up" if up else "down")
            return
        told = 0
        if self.agent is not None:
            told = await self.agent.link_trap(dataclasses.replace(row, oper_up=up))
        log.info("the link of %s (ifIndex %d) went %s: %d trap receivers told",
                 name, row.index, "up" if up else "down", told)

    async def _refresh(self) -> None:
        """While the agent answers: an agent that is off asks nothing."""
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            if self.agent is not None:
                await self.facts.refresh(self.bus)

    @property
    def _password_file(self) -> Path:
        return self.environment.secrets_dir / PASSWORD_FILE

    def _kept_password(self) -> str:
        """The v3 password as first set, "" until one is."""
        with contextlib.suppress(FileNotFoundError):
            return self._password_file.read_text()
        return ""

    def _keep_password(self, password: str) -> None:
        """Keep the first v3 password; a factory default (which empties the
        data partition) is what forgets it."""
        self._password_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self._password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(password)

    async def configure(self) -> None:
        """Make the agent the settings ask for (none when SNMP is off)."""
        await self._close()
        kept = self._kept_password()
        settings = read_settings(self.params.snapshot(), kept)
        if settings.v3_password and not kept:
            self._keep_password(settings.v3_password)
            kept = settings.v3_password
        problems = list(settings.problems)
        for problem in problems:
            log.warning("SNMP: %s", problem)
        if settings.versions:
            try:
                sock = bind(self.host, self.port)
            except OSError as exc:
                problems.append(f"The agent cannot listen on UDP port {self.port}: "
                                f"{exc.strerror}.")
                log.error("SNMP: %s", problems[-1])
            else:
                self.agent = Agent(settings, self.controller, sock,
                                   engine_id(bytes.fromhex(this_device().serial)),
                                   self.trap_port, self._auth_failed, self.facts.agent_uptime)
                log.info("the SNMP agent answers %s on UDP port %d",
                         ", ".join(settings.versions), self.port)
        else:
            log.info("the SNMP agent is off")
        running = self.agent is not None
        await self.bus.set_state(contract.STATUS, contract.SnmpStatus(
            running=running, port=self.port, versions=settings.versions if running else (),
            traps=len(settings.receivers), v3_password_set=bool(kept),
            problems=tuple(problems)).to_dict())

    async def notify(self, trap: str) -> None:
        if self.agent is not None:
            await self.agent.notify(trap)

    async def send_trap(self, rule: str, message: str) -> dict[str, Any]:
        """A rule's "Send SNMP trap" (herald-core's events service asks)."""
        for what, text in (("the rule's name", rule), ("the message", message)):
            if not isinstance(text, str) or len(text.encode()) > contract.MAX_TRAP_TEXT:
                raise contract.TrapRefused(f"{what}: text of at most {contract.MAX_TRAP_TEXT} "
                                           "bytes in a trap")
        if self.agent is None:
            raise contract.TrapRefused("SNMP is off (System > SNMP)")
        if not self.agent.settings.receivers:
            raise contract.TrapRefused("no trap receivers: traps are off or none is set "
                                       "(System > SNMP)")
        missed = await self.agent.rule_trap(rule, message)
        if missed:
            raise contract.TrapRefused(f"the trap could not be sent to {', '.join(missed)}")
        return {"ok": True}

    def _auth_failed(self) -> None:
        """A request with a wrong community or key: pysnmp tells it synchronously."""
        log.warning("SNMP: a request with a wrong community or key was refused")
        task = asyncio.get_running_loop().create_task(self.notify("auth_fail"))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)
