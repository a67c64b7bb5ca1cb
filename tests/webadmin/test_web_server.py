"""herald-web's own server, below Django: how it takes connections."""

from __future__ import annotations

import asyncio
import socket

from herald_web.web import _listen


def test_kept_alive_connections_do_not_wait_on_nagle() -> None:
    """With Nagle's algorithm on, each request on a kept-alive connection
    waited ~40 ms for the client's delayed ACK (44 ms a static file, 2.4 ms
    without); the server's connections have it off."""
    listening = _listen("127.0.0.1", 0)

    async def nodelay_of_an_accepted_connection() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def serve(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(serve, sock=listening)
        _reader, writer = await asyncio.open_connection(*listening.getsockname()[:2])
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    assert asyncio.run(nodelay_of_an_accepted_connection()) != 0


def test_a_body_too_big_for_where_it_goes_is_refused_before_it_is_read(herald):
    """A stranger's 300 MiB POST to param.cgi used to be spooled to disk whole
    before its 401; now its declared length alone earns a 413."""
    host, port = herald.http_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"POST /axis-cgi/param.cgi HTTP/1.1\r\nHost: device\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 314572800\r\n\r\n")
        reply = b""
        while chunk := sock.recv(4096):  # the server closes the connection after it
            reply += chunk
    reply = reply.decode()
    assert reply.startswith("HTTP/1.1 413 ")
    assert "at most 3145728 bytes here" in reply


def test_a_body_without_a_length_is_cut_off_at_the_limit(herald):
    def endless():
        for _ in range(20):
            yield b"x" * (1024 * 1024)

    with herald.vapix() as anonymous:
        reply = anonymous.post("/axis-cgi/param.cgi", content=endless())
    assert reply.status_code == 413
