"""herald-web's HTTP connections: uvicorn's httptools protocol with the limits
it lacks (the values are in herald_web.bodies, beside the body limits).

uvicorn bounds neither the size of a request's header section (16 MiB were
taken) nor the time it takes, nor the silences in a body, and it times a
connection out only once it has had a response: a connection that sent
nothing, headers a byte at a time or half a body was held for good. Here the
header section must come whole within HEADER_BYTES (else 431) and within
HEADER_SECONDS of connecting or of its first byte, and a body may not fall
silent for BODY_IDLE_SECONDS (a long upload or live audio that keeps coming
runs on). While the application has a request, no clock runs.

The parser tells where a section ends but not where one begins inside a read
(a pipelined request after a body, trailers after the last chunk); such a
section is counted from the next read, so it may run one read (at most
256 KiB) past HEADER_BYTES before it is refused.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from herald_web.bodies import BODY_IDLE_SECONDS, HEADER_BYTES, HEADER_SECONDS

_MESSAGE = f"431 Request header fields too large: at most {HEADER_BYTES} bytes\n".encode()
_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
              b"content-type: text/plain; charset=utf-8\r\n"
              b"content-length: " + str(len(_MESSAGE)).encode() + b"\r\n"
              b"connection: close\r\n\r\n" + _MESSAGE)


class GuardedProtocol(HttpToolsProtocol):
    """One connection; the parser's callbacks move it between its clocks."""

    # Bytes received of the header section (or trailer section) being read,
    # counted from the end of the previous message; None in a body.
    _header_bytes: int | None = 0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect(HEADER_SECONDS)

    def connection_lost(self, exc: Exception | None) -> None:
        self._expect(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feeds the parser no more than HEADER_BYTES of a header section: if
        it has not ended by then, it is refused."""
        if self._header_bytes is None:
            super().data_received(data)
            return
        if self._deadline is None:  # the first bytes of the next request
            self._expect(HEADER_SECONDS)
        room = HEADER_BYTES - self._header_bytes
        self._header_bytes += min(len(data), room)
        super().data_received(data[:room])
        if len(data) <= room or self.transport.is_closing():
            return
        if self._header_bytes == HEADER_BYTES:  # no callback began a body or the next section
            self._refuse()
        else:
            self.data_received(data[room:])

    def on_headers_complete(self) -> None:
        self._header_bytes = None
        self._expect(BODY_IDLE_SECONDS)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._header_bytes = None
        self._expect(BODY_IDLE_SECONDS)
        super().on_body(body)

    def on_chunk_header(self) -> None:
        """A chunked body's size line: the trailer section may follow it, headers
        the parser gathers as it does the request's, so they count as those do."""
        self._header_bytes = 0

    def on_message_complete(self) -> None:
        self._header_bytes = 0
        self._expect(None)
        super().on_message_complete()

    def _expect(self, seconds: float | None) -> None:
        """Close the connection unless what it waits for comes within
        `seconds` (None: no limit)."""
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None if seconds is None else self.loop.call_later(
            seconds, self._expired, seconds)

    def _expired(self, seconds: float) -> None:
        waiting_on_us = self.flow.read_paused or (
            self.cycle is not None and self.cycle.waiting_for_100_continue)
        if waiting_on_us:  # the application has not asked for more yet
            self._expect(seconds)
        elif not self.transport.is_closing():
            self.transport.close()

    def _refuse(self) -> None:
        if self.cycle is None or self.cycle.response_complete:  # not inside another response
            self.transport.write(_TOO_LARGE)
        self.transport.close()
