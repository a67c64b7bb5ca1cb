"""One remote syslog server: its lines wait in a small bounded queue and a
task of their own sends them, so a server that is away never holds up the
device (a full queue drops lines, counted). UDP sends a datagram a line; TCP
and TLS frame each message with its length (RFC 6587 octet counting) and
connect again with a growing pause while the server is away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl

from herald.system import contract
from herald.system.syslog_message import Entry, render
from herald.system.syslog_settings import ServerSettings

log = logging.getLogger(__name__)

CONNECT_SECONDS = 5.0
SEND_SECONDS = 5.0
BACKOFF_SECONDS = (0.5, 1, 2, 4, 8, 15, 30)


class Sender:
    def __init__(self, settings: ServerSettings, queue_size: int = contract.SYSLOG_QUEUE) -> None:
        self.settings = settings
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(queue_size)
        self.connected, self.sent, self.dropped = False, 0, 0
        self.problem = settings.problem
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        if not self.settings.problem:
            self.task = asyncio.create_task(self._run(), name=f"syslog {self.settings.name}")

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    def offer(self, entry: Entry, always: bool = False) -> bool:
        """Queue `entry` if severe enough (`always`: whatever its severity);
        never waits. Whether it was queued."""
        if (entry.severity > self.settings.severity and not always) or self.settings.problem:
            return False
        try:
            self.queue.put_nowait(render(entry, self.settings.syslog_format))
        except asyncio.QueueFull:
            self.dropped += 1
            return False
        return True

    def status(self) -> contract.SyslogServer:
        s = self.settings
        return contract.SyslogServer(s.name, s.address, s.port, s.protocol, s.syslog_format,
                                     contract.SEVERITIES[s.severity], self.connected,
                                     self.sent, self.dropped, self.problem)

    async def _run(self) -> None:
        if self.settings.protocol == contract.UDP:
            await self._udp()
            return
        failures = 0
        while True:
            try:
                reader, writer = await asyncio.wait_for(self._connect(), CONNECT_SECONDS)
            except (OSError, TimeoutError, ssl.SSLError) as exc:
                self._away(f"cannot connect: {exc or type(exc).__name__}")
                await asyncio.sleep(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
                failures += 1
                continue
            failures = 0
            self.connected, self.problem = True, ""
            log.info("remote syslog %s:%s (%s) connected", self.settings.address,
                     self.settings.port, self.settings.protocol)
            try:
                await self._stream(reader, writer)
            finally:
                self.connected = False
                writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        s = self.settings
        if s.protocol == contract.TLS:
            context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
            return await asyncio.open_connection(s.address, s.port, ssl=context,
                                                 server_hostname=s.address)
        return await asyncio.open_connection(s.address, s.port)

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Send until the server closes (a syslog server says nothing back:
        any end of its side means it went away)."""
        closed = asyncio.create_task(reader.read(1))
        try:
            while True:
                take = asyncio.create_task(self.queue.get())
                done, _ = await asyncio.wait({take, closed}, return_when=asyncio.FIRST_COMPLETED)
                if closed in done:
                    take.cancel()
                    if take.done() and not take.cancelled():
                        self.dropped += 1
                    self._away("the server closed the connection")
                    return
                message = take.result()
                try:
                    writer.write(f"{len(message)} ".encode() + message)
                    await asyncio.wait_for(writer.drain(), SEND_SECONDS)
                except (OSError, TimeoutError) as exc:
                    self.dropped += 1
                    self._away(f"sending failed: {exc or type(exc).__name__}")
                    return
                self.sent += 1
        finally:
            closed.cancel()

    async def _udp(self) -> None:
        s = self.settings
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    asyncio.DatagramProtocol, remote_addr=(s.address, s.port))
                break
            except OSError as exc:  # the name does not resolve (yet)
                self._away(f"cannot send: {exc}")
                await asyncio.sleep(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
                failures += 1
        self.connected, self.problem = True, ""
        try:
            while True:
                message = await self.queue.get()
                try:
                    transport.sendto(message)
                    self.sent += 1
                except OSError:
                    self.dropped += 1
        finally:
            transport.close()

    def _away(self, why: str) -> None:
        """Note why nothing is sent; logged once a change, not at every try."""
        if why != self.problem:
            log.warning("remote syslog %s:%s (%s): %s", self.settings.address,
                        self.settings.port, self.settings.protocol, why)
        self.problem = why
