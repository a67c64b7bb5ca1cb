"""The SIP service (herald-sip): runs baresip as the SIP settings say (none
while SIP is off), starts it again when a setting it was started with
changes, follows its calls over the control channel and publishes them on
the bus (contract.CALL), answers or refuses incoming calls, ends calls that
ring or last too long, and dials and hangs up when asked.

A daemon of its own, started by herald-system only while SIP.Enabled says
so (herald.system.on_demand), as herald-snmp and herald-mqtt are: off, as by
default, SIP costs the device nothing, and a stuck user agent stops neither
audio nor the web admin."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from herald.bus import PING, AsyncBus
from herald.environment import Environment
from herald.params import ParamStore
from herald.params import contract as params_contract
from herald.params.follow import apply_on_changes
from herald.sip import contract
from herald.sip.baresip import Baresip, StartFailed, free_port
from herald.sip.config import Media, pbx_account, peer_to_peer_uri, render_accounts, render_config
from herald.sip.contract import uri_problem
from herald.sip.control import Control, ControlError
from herald.sip.settings import SipSettings, read_settings

log = logging.getLogger(__name__)

DIRECTORY = "sip"  # in the data directory: baresip's configuration and accounts
RESTART_SECONDS = 5.0  # after baresip ended on its own
UNANSWERED = (contract.RINGING, contract.CALLING)
MAX_KEYS = 32  # DTMF keys kept: a sequence's longest


class SipService:
    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore,
                 media: Media) -> None:
        self.bus, self.environment, self.params, self.media = bus, environment, params, media
        self.settings: SipSettings | None = None
        self.agent: Baresip | None = None
        self.control: Control | None = None
        self.call = contract.SipCall(contract.IDLE)
        self.hangup_reason = ""  # why this service ended the call under way
        self.keys = ""  # DTMF keys the caller pressed in this call, since the last sequence
        self.timer: asyncio.TimerHandle | None = None  # answers or ends the call under way
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.tasks: list[asyncio.Task] = []
        self.timed: set[asyncio.Task] = set()  # what a timer started, under way
        self.watching: asyncio.Task | None = None  # baresip's end
        self.lock = asyncio.Lock()  # one change of user agent at a time
        # The running agent's accounts by address of record (as its events name them).
        self.accounts: dict[str, contract.AccountStatus] = {}

    @property
    def handlers(self) -> dict[str, Any]:
        return {PING: self.ping, contract.DIAL: self.dial, contract.ANSWER: self.answer,
                contract.HANGUP: self.hangup}

    async def ping(self) -> dict[str, Any]:
        return {"ok": True}

    async def start(self) -> None:
        changes = await self.bus.subscribe(params_contract.CHANGED)
        await self._set_call(contract.SipCall(contract.IDLE))
        await self.apply()
        settings = apply_on_changes(changes, lambda name: name.startswith("SIP."), self.apply)
        self.tasks = [asyncio.create_task(settings, name="sip settings"),
                      asyncio.create_task(self._handle_events(), name="sip calls")]

    async def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        for task in (*self.tasks, *self.timed):
            task.cancel()
        await asyncio.gather(*self.tasks, *self.timed, return_exceptions=True)
        async with self.lock:
            await self._stop_agent("herald-sip stopped")
            # What the pages show after: not a user agent that no longer runs.
            await self._status(running=False, reason="SIP is off" if not (
                self.settings and self.settings.enabled) else "herald-sip stopped")

    async def apply(self) -> None:
        """Take in the settings; start baresip again only when what it was
        started with changed (a call under way then ends)."""
        async with self.lock:
            before, self.settings = self.settings, read_settings(
                await asyncio.to_thread(self.params.snapshot))
            settings = self.settings
            if before is not None and (before.runs, before.agent) == (settings.runs,
                                                                       settings.agent) \
                    and (self.agent is not None or not settings.runs):
                if before.allow_incoming != settings.allow_incoming and self.agent is not None:
                    await self._status(running=True)
                return
            await self._stop_agent()
            for problem in settings.problems:
                log.warning("SIP: %s", problem)
            if not settings.runs:
                reason = settings.problems[0] if settings.problems else "SIP is off"
                log.info("SIP: %s", reason)
                await self._status(running=False, reason=reason)
                return
            await self._start_agent(settings)

    async def _start_agent(self, settings: SipSettings) -> None:
        port = free_port()
        host = await asyncio.to_thread(self.params.get, "Network.HostName")
        files = {"config": render_config(settings.agent, self.media, port,
                                         self.environment.data_dir / DIRECTORY),
                 "accounts": render_accounts(settings.agent, host)}
        p2p = peer_to_peer_uri(settings.agent, host)
        self.accounts = {p2p: contract.AccountStatus(contract.PEER_TO_PEER_ACCOUNT, p2p,
                                                     contract.PEER_TO_PEER)}
        self.accounts.update((a.uri, contract.AccountStatus(a.name, a.uri, contract.REGISTERING))
                             for a in settings.agent.accounts)
        try:
            self.agent = await Baresip.start(self.environment.data_dir / DIRECTORY, files)
            self.control = await Control.connect(port, self.events.put_nowait)
        except (StartFailed, OSError) as exc:
            log.error("SIP: %s", exc)
            await self._stop_agent()
            await self._status(running=False, reason=str(exc))
            self._restart_later()
            return
        self.watching = asyncio.create_task(self._watch(self.agent), name="baresip")
        for account in settings.agent.accounts:
            try:
                await self.control.command("uanew", pbx_account(settings.agent, account))
            except ControlError as exc:
                log.error("SIP: account %s not taken: %s", account.name, exc)
                self.accounts[account.uri] = contract.AccountStatus(
                    account.name, account.uri, contract.FAILED, str(exc))
        log.info("SIP: the user agent answers on port %d as %s", settings.agent.port, p2p)
        await self._status(running=True)

    async def _stop_agent(self, reason: str = "the SIP settings changed") -> None:
        """baresip stopped; `reason` is the end of the call under way."""
        if self.watching is not None:
            self.watching.cancel()
            self.watching = None
        if self.control is not None:
            await self.control.close()
            self.control = None
        if self.agent is not None:
            await self.agent.stop()
            self.agent = None
        if self.call.state != contract.IDLE:
            await self._ended(reason)

    async def _watch(self, agent: Baresip) -> None:
        """baresip ending on its own: said, and started again a little later."""
        status = await agent.wait()
        log.error("SIP: baresip ended (exit status %d); it starts again in %g s",
                  status, RESTART_SECONDS)
        self.watching = None
        async with self.lock:
            if self.agent is agent:
                reason = f"baresip ended (exit status {status})"
                await self._stop_agent(reason)
                await self._status(running=False, reason=reason)
        self._restart_later()

    def _restart_later(self) -> None:
        async def again() -> None:
            await asyncio.sleep(RESTART_SECONDS)
            self.settings = None  # as at the start: what runs is what the settings say
            await self.apply()
        self._run(again())

    async def _status(self, running: bool, reason: str = "") -> None:
        settings = self.settings
        await self.bus.set_state(contract.STATUS, contract.SipStatus(
            running=running, port=settings.agent.port if settings and running else 0,
            accounts=tuple(self.accounts.values()) if running else (), reason=reason,
            incoming=bool(running and settings and settings.allow_incoming)).to_dict())

    # Calls

    async def dial(self, uri: Any = None, account: Any = "") -> dict[str, Any]:
        """Call `uri` from the account named `account` ("": the peer-to-peer one)."""
        if problem := uri_problem(uri):
            raise contract.CallRefused(problem)
        control = self._control()
        names = {a.name: aor for aor, a in self.accounts.items()}
        if not isinstance(account, str) or (account and account not in names):
            raise contract.CallRefused(f"account: no SIP account named {account!r:.64}")
        caller = names[account or contract.PEER_TO_PEER_ACCOUNT]
        if self.call.state != contract.IDLE:
            raise contract.CallRefused(f"a call is {self.call.state} with {self.call.peer}: "
                                       "hang it up first")
        await self._set_call(contract.SipCall(contract.CALLING, contract.OUTGOING, uri,
                                              caller))
        self._after(self._settings().call_timeout, self._unanswered)
        try:
            await control.command("uafind", caller)  # the account the call goes out from
            await control.command("dial", uri)
        except ControlError as exc:
            await self._ended(f"the call could not be made: {exc}")
            raise contract.CallRefused(str(exc)) from exc
        log.info("SIP: calling %s", uri)
        return {"ok": True}

    async def hangup(self) -> dict[str, Any]:
        if self.call.state not in (*UNANSWERED, contract.ACTIVE):
            raise contract.CallRefused("no call to hang up")
        await self._end("hung up on request")
        return {"ok": True}

    async def answer(self) -> dict[str, Any]:
        if self.call.state != contract.RINGING:
            raise contract.CallRefused("no incoming call rings")
        try:
            await self._control().command("accept")
        except ControlError as exc:
            raise contract.CallRefused(str(exc)) from exc
        return {"ok": True}

    def _control(self) -> Control:
        if self.control is None:
            raise contract.CallRefused("SIP is off (System > SIP)" if not self._settings().runs
                                       else "the SIP user agent is not running")
        return self.control

    def _settings(self) -> SipSettings:
        assert self.settings is not None  # read as the service starts
        return self.settings

    async def _end(self, reason: str) -> None:
        """Hang up the call under way, for `reason` (its TERMINATED state says it)."""
        self.hangup_reason = reason
        log.info("SIP: hanging up: %s", reason)
        try:
            await self._control().command("hangup")
        except (ControlError, contract.CallRefused) as exc:
            log.error("SIP: could not hang up: %s", exc)

    def _after(self, seconds: float, then: Any) -> None:
        """Run `then()` (a coroutine function) in `seconds`, unless the call's state
        changes first."""
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(seconds, lambda: self._run(then()))

    def _run(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.timed.add(task)
        task.add_done_callback(self.timed.discard)

    async def _unanswered(self) -> None:
        if self.call.state in UNANSWERED:
            await self._end(f"not answered within {self._settings().call_timeout} s")

    async def _too_long(self) -> None:
        if self.call.state == contract.ACTIVE:
            await self._end(f"the maximum call duration, {self._settings().max_duration} s, "
                            "was reached")

    async def _answer(self) -> None:
        if self.call.state == contract.RINGING:
            try:
                await self._control().command("accept")
            except (ControlError, contract.CallRefused) as exc:
                log.error("SIP: could not answer: %s", exc)

    async def _set_call(self, call: contract.SipCall) -> None:
        if self.timer is not None and call.state != self.call.state:
            self.timer.cancel()
            self.timer = None
        if call.state != self.call.state:
            self.keys = ""
        self.call = contract.SipCall(call.state, call.direction, call.peer, call.account,
                                     call.reason, time.time())
        await self.bus.set_state(contract.CALL, self.call.to_dict())

    async def _ended(self, reason: str) -> None:
        """TERMINATED, with why, then IDLE: the line is free again."""
        call = self.call
        await self._set_call(contract.SipCall(contract.TERMINATED, call.direction, call.peer,
                                              call.account, self.hangup_reason or reason))
        log.info("SIP: the call with %s ended: %s", call.peer, self.call.reason)
        self.hangup_reason = ""
        await self._set_call(contract.SipCall(contract.IDLE))

    async def _registered(self, uri: str, ok: bool, said: str) -> None:
        """A PBX account's registration: done, or refused with the server's words."""
        before = self.accounts[uri]
        now = contract.AccountStatus(before.name, uri, contract.REGISTERED if ok
                                     else contract.FAILED, "" if ok else said)
        if now != before:
            log.log(logging.INFO if ok else logging.WARNING, "SIP: account %s %s%s",
                    before.name, now.registration, f": {said}" if said and not ok else "")
            self.accounts[uri] = now
            if self.agent is not None:
                await self._status(running=True)

    async def _key(self, key: str) -> None:
        """A DTMF key the caller pressed: a sequence that it completes is the
        DTMF event (the longest, when one ends another); then a new one begins."""
        self.keys = (self.keys + key.upper())[-MAX_KEYS:]
        done = [s for s in self._settings().sequences if self.keys.endswith(s.keys)]
        if not done:
            return
        sequence = max(done, key=lambda s: len(s.keys))
        self.keys = ""
        log.info("SIP: the caller pressed the DTMF sequence %s (%s)", sequence.keys,
                 sequence.description)
        await self.bus.publish(contract.DTMF, sequence=contract.DtmfSequence(
            sequence.id, sequence.keys, sequence.description, self.call.peer).to_dict())

    async def _handle_events(self) -> None:
        while True:
            event = await self.events.get()
            try:
                await self._on_event(event)
            except Exception:  # one odd event must not stop the calls being followed
                log.exception("SIP: an event of baresip's could not be handled: %r", event)

    async def _on_event(self, event: dict[str, Any]) -> None:
        kind, peer = event.get("type"), str(event.get("peeruri", ""))
        account = str(event.get("accountaor", ""))
        settings = self._settings()
        if kind in ("REGISTER_OK", "REGISTER_FAIL") and account in self.accounts:
            await self._registered(account, kind == "REGISTER_OK", str(event.get("param", "")))
        elif kind == "CALL_INCOMING":
            await self._set_call(contract.SipCall(contract.RINGING, contract.INCOMING, peer,
                                                  account))
            log.info("SIP: a call from %s to %s", peer, account)
            pbx = next((a for a in settings.agent.accounts if a.uri == account), None)
            if not settings.allow_incoming:
                await self._end("incoming calls are off (SIP.AllowIncoming)")
            elif pbx.auto_answer if pbx else settings.auto_answer:
                self._after(settings.answer_delay, self._answer)
            else:
                self._after(settings.call_timeout, self._unanswered)
        elif kind == "CALL_ESTABLISHED" and self.call.state in UNANSWERED:
            await self._set_call(contract.SipCall(contract.ACTIVE, self.call.direction,
                                                  self.call.peer, account))
            log.info("SIP: in a call with %s", self.call.peer)
            if settings.max_duration:
                self._after(settings.max_duration, self._too_long)
        elif kind == "CALL_DTMF_START" and self.call.state == contract.ACTIVE:
            await self._key(str(event.get("param", "")))
        elif kind == "CALL_CLOSED" and self.call.state != contract.IDLE:
            await self._ended(str(event.get("param", "")) or "closed")
