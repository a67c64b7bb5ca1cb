"""A multipart/form-data body read as it arrives, part by part.

firmwaremanagement.cgi's upgrade is a multipart request whose second part is
the firmware, hundreds of megabytes: it must go to disk as it arrives, not
into memory. VAPIX clients send the parts without Content-Disposition names
(a JSON part, then an application/octet-stream part), which form parsers
skip, so this reader takes parts in order and leaves their meaning to the
caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

MAX_HEADER_BYTES = 16 * 1024


class MultipartError(Exception):
    """The body is not the multipart/form-data it claims to be."""


def boundary_of(content_type: str) -> bytes:
    media, _, rest = content_type.partition(";")
    if media.strip().lower() != "multipart/form-data":
        raise MultipartError("the request is not multipart/form-data")
    for item in rest.split(";"):
        key, _, value = item.strip().partition("=")
        if key.lower() == "boundary" and value.strip('"'):
            return value.strip('"').encode("latin-1")
    raise MultipartError("the multipart request has no boundary")


class MultipartReader:
    """`async for headers in reader.parts()`, reading each part's `body()` in turn."""

    def __init__(self, chunks: AsyncIterator[bytes], boundary: bytes) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._delimiter = b"\r\n--" + boundary
        self._ended = False  # the stream has no more bytes
        self._finished = False  # the closing delimiter was read
        self._in_body = False

    async def _fill(self) -> bool:
        if self._ended:
            return False
        try:
            self._buffer += await anext(self._chunks)
        except StopAsyncIteration:
            self._ended = True
            return False
        return True

    async def _find(self, needle: bytes, limit: int | None = None) -> int:
        while (index := self._buffer.find(needle)) < 0:
            if limit is not None and len(self._buffer) > limit:
                raise MultipartError("a part's headers are too long")
            if not await self._fill():
                raise MultipartError("the request ended before its last part did")
        return index

    async def parts(self) -> AsyncIterator[dict[str, str]]:
        """Each part's headers (lower-case names); read `body()` before the next."""
        # The first delimiter may open the body without the CRLF before it.
        self._buffer = b"\r\n" + self._buffer
        await self._find(self._delimiter, MAX_HEADER_BYTES)
        await self._after_delimiter()
        while not self._finished:
            while len(self._buffer) < 2 and await self._fill():
                pass
            if self._buffer.startswith(b"\r\n"):  # a part without headers
                headers, self._buffer = {}, self._buffer[2:]
            else:
                end = await self._find(b"\r\n\r\n", MAX_HEADER_BYTES)
                headers = _headers(self._buffer[:end])
                self._buffer = self._buffer[end + 4:]
            self._in_body = True
            yield headers
            if self._in_body:  # the caller skipped the body
                async for _ in self.body():
                    pass

    async def body(self) -> AsyncIterator[bytes]:
        """The current part's content, in pieces as they arrive."""
        keep = len(self._delimiter) - 1
        while True:
            index = self._buffer.find(self._delimiter)
            if index >= 0:
                if index:
                    yield self._buffer[:index]
                self._buffer = self._buffer[index:]
                await self._after_delimiter()
                self._in_body = False
                return
            if len(self._buffer) > keep:
                yield self._buffer[:-keep]
                self._buffer = self._buffer[-keep:]
            if not await self._fill():
                raise MultipartError("the request ended before its last part did")

    async def _after_delimiter(self) -> None:
        """Skip a delimiter at the buffer's start: "--" closes the body, CRLF opens a part."""
        start = self._buffer.find(self._delimiter)
        self._buffer = self._buffer[start + len(self._delimiter):]
        while len(self._buffer) < 2 and await self._fill():
            pass
        if self._buffer.startswith(b"--"):
            self._finished = True
            return
        end = await self._find(b"\r\n", MAX_HEADER_BYTES)
        if self._buffer[:end].strip(b" \t"):
            raise MultipartError("a multipart delimiter is followed by garbage")
        self._buffer = self._buffer[end + 2:]


def _headers(raw: bytes) -> dict[str, str]:
    headers = {}
    for line in raw.decode("latin-1").split("\r\n"):
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise MultipartError(f"a part has a malformed header line: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers
