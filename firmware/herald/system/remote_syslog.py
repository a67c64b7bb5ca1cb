"""System > Logs > Remote system log, sent: every entry of the system log
(log_sources.py: the file all Herald processes append to, and on a device
the journal) goes to each server of the RemoteSyslog.S* parameter groups
whose severity it reaches (syslog_sender.py), in the server's format, while
RemoteSyslog.Enabled is "yes" (when "no", the servers are kept and none is
sent to). A server added, removed or changed takes effect at once;
REMOTE_SYSLOG on the bus says how each fares. SYSLOG_TEST sends each a test
message (remotesyslog.cgi test)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import json
import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

from herald.bus import AsyncBus
from herald.environment import Environment
from herald.params import ParamStore
from herald.params import contract as params_contract
from herald.params.follow import apply_on_changes
from herald.system import contract, logs
from herald.system.log_sources import FileFollower, JournalSource
from herald.system.syslog_message import DAEMON, Entry
from herald.system.syslog_sender import Sender
from herald.system.syslog_settings import read_servers, sending

log = logging.getLogger(__name__)

STATUS_SECONDS = 1.0
RECHECK_SECONDS = 5.0  # a CA certificate the settings name may be put in the store later
TEST_SEVERITY = contract.SEVERITIES.index("notice")


class RemoteSyslog:
    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore,
                 journal: JournalSource | None = None) -> None:
        self.bus, self.environment, self.params = bus, environment, params
        if journal is None and JournalSource.available(environment.journalctl):
            journal = JournalSource(environment.journalctl)
        self.sources = [FileFollower(environment.logs_dir / logs.SYSTEM),
                        *([journal] if journal else [])]
        self.senders: dict[str, Sender] = {}
        self.reading: list[asyncio.Task] = []  # the sources, read only while a server is set
        self.applying = asyncio.Lock()  # a change and a test both apply the settings

    async def follow(self) -> None:
        """Follow the servers' settings; send from every source while there is a server."""
        tasks = [asyncio.create_task(self._publish_status()),
                 asyncio.create_task(self._recheck())]
        changes = await self.bus.subscribe(params_contract.CHANGED)
        try:
            await apply_on_changes(
                changes, lambda name: name.startswith(contract.SYSLOG_PARENT + "."),
                self.apply, first=True)
        finally:
            for task in [*tasks, *self.reading]:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for sender in self.senders.values():
                await sender.stop()

    async def apply(self) -> None:
        async with self.applying:
            await self._apply()

    async def _apply(self) -> None:
        """Start the servers new or changed, stop those removed or changed
        (all of them while sending is switched off)."""
        snapshot = await asyncio.to_thread(self.params.snapshot)
        servers = read_servers(snapshot, self.environment.certs_dir) if sending(snapshot) else []
        wanted = {s.name: s for s in servers}
        for name, sender in list(self.senders.items()):
            if wanted.get(name) != sender.settings:
                await sender.stop()
                del self.senders[name]
        for name, settings in wanted.items():
            if name not in self.senders:
                if settings.problem:
                    log.error("remote syslog %s: %s", settings.address, settings.problem)
                self.senders[name] = Sender(settings)
                self.senders[name].start()
        await self._read_sources(bool(self.senders))

    async def send_test(self, by: str = "") -> dict[str, Any]:
        """A test message queued for every server now, whatever its severity,
        once the settings stored are taken (a test right after a change tests it)."""
        await self.apply()
        if not self.senders:
            snapshot = await asyncio.to_thread(self.params.snapshot)
            return {"ok": False, "message": "Sending to the remote syslog servers is switched off."
                    if not sending(snapshot) else "No remote syslog server is set."}
        who = by or "anonymous"
        entry = Entry(datetime.datetime.now().astimezone(), socket.gethostname(), "herald-system",
                      str(os.getpid()), DAEMON, TEST_SEVERITY,
                      f"Test message to the remote syslog servers, asked by {who}")
        queued = [sender.status() for sender in self.senders.values()
                  if sender.offer(entry, always=True)]
        log.info("remote syslog: test message for %d of %d servers, asked by %s",
                 len(queued), len(self.senders), who)
        if not queued:
            problems = "; ".join(f"{sender.settings.address}: {sender.problem or 'queue full'}"
                                 for sender in self.senders.values())
            return {"ok": False, "message": f"No remote syslog server takes it now ({problems})."}
        return {"ok": True, "servers": [dataclasses.asdict(server) for server in queued]}

    async def _read_sources(self, wanted: bool) -> None:
        """An idle device neither polls its log file nor runs journalctl."""
        if wanted and not self.reading:
            self.reading = [asyncio.create_task(self._send_from(source.entries()))
                            for source in self.sources]
        elif not wanted and self.reading:
            for task in self.reading:
                task.cancel()
            await asyncio.gather(*self.reading, return_exceptions=True)
            self.reading = []

    async def _send_from(self, entries: AsyncIterator[Entry]) -> None:
        async for entry in entries:
            for sender in list(self.senders.values()):
                sender.offer(entry)

    async def _recheck(self) -> None:
        """Look again at servers whose settings were refused (a CA file missing)."""
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            if any(sender.settings.problem for sender in self.senders.values()):
                try:
                    await self.apply()
                except Exception:  # the database may be busy: the next round
                    log.exception("remote syslog: the settings could not be read")

    async def _publish_status(self) -> None:
        last = None
        while True:
            status = contract.RemoteSyslogStatus(
                tuple(sender.status() for sender in self.senders.values()))
            value = json.loads(json.dumps(status.to_dict()))
            if value != last:
                with contextlib.suppress(Exception):  # the bus may hiccup: the next round
                    await self.bus.set_state(contract.REMOTE_SYSLOG, value)
                    last = value
            await asyncio.sleep(STATUS_SECONDS)
