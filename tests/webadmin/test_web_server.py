"""herald-web's own server, below Django: how it takes connections."""

from __future__ import annotations

import asyncio
import http.client
import itertools
import socket
import time
from collections.abc import Iterator

import pytest

from herald.bus import Bus
from herald_web.contract import WEB
from herald_web.web import _listen
from tests.conftest import redis_server, wait_until
from tests.webadmin.stack import HeraldStack


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


# -- connection limits (herald_web.bodies, kept by herald_web.connections) --

# Seconds, for the `quick` stack; the device's own (20, 30, 15) would make the tests slow.
SHORT = {"HEADER_TIMEOUT": 2, "BODY_TIMEOUT": 2, "KEEP_ALIVE": 1}
MARGIN = 3  # seconds past a limit by which the server must have acted


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeraldStack]:
    """herald-web alone, with its connection timeouts cut to seconds."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        stack = HeraldStack(tmp_path_factory.mktemp("quick"), url,
                            {f"HERALD_WEB_{name}": str(value) for name, value in SHORT.items()})
        try:
            stack.start_web()
            yield stack
        finally:
            stack.stop()


def connect(stack: HeraldStack) -> socket.socket:
    host, port = stack.http_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def closes(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection within `within` seconds
    (what it sends on the way is read and dropped)."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
    return False


def reply_until_closed(sock: socket.socket, within: float) -> bytes:
    deadline = time.monotonic() + within
    reply = b""
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        if not (chunk := sock.recv(65536)):
            return reply
        reply += chunk
    pytest.fail(f"the connection was still open after {within} s; received {reply[:200]!r}")


def padding(kib: int) -> bytes:
    """Header lines of 1 KiB each."""
    return b"".join(b"X-Pad-%03d: %s\r\n" % (i, b"a" * 1010) for i in range(kib))


def test_a_header_section_past_the_limit_is_answered_431_before_it_ends(herald):
    """16 MiB of headers used to be read and kept; now past 32 KiB the
    request is refused, and a large one within the limit is still served."""
    with connect(herald) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: device\r\n" + padding(40))  # and never a blank line
        reply = reply_until_closed(sock, MARGIN)
    assert reply.startswith(b"HTTP/1.1 431 "), reply[:200]
    assert b"at most 32768 bytes" in reply
    with herald.vapix() as anonymous:
        plain = anonymous.get("/axis-cgi/basicdeviceinfo.cgi")
        padded = anonymous.get("/axis-cgi/basicdeviceinfo.cgi",
                               headers={f"X-Pad-{i}": "a" * 1000 for i in range(24)})
    assert padded.status_code == plain.status_code


def test_trailers_past_the_header_limit_close_the_connection(herald):
    """A chunked body's trailer section is gathered as headers are, so it has
    their limit (here 1 MiB of it, never ended, was read and kept)."""
    with connect(herald) as sock:
        try:
            sock.sendall(b"POST /axis-cgi/param.cgi HTTP/1.1\r\nHost: device\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
                         + padding(1024))
        except (BrokenPipeError, ConnectionResetError):
            return  # closed on the way
        assert closes(sock, MARGIN)


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(quick):
    with connect(quick) as sock:
        assert closes(sock, SHORT["HEADER_TIMEOUT"] + MARGIN)


def test_headers_sent_a_byte_at_a_time_are_closed_after_the_header_timeout(quick):
    """Slowloris: each byte came in time for the old keep-alive clock, so the
    connection was held for as long as the client liked."""
    deadline = time.monotonic() + SHORT["HEADER_TIMEOUT"] + MARGIN
    with connect(quick) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: device\r\n")
        for byte in itertools.cycle(b"X-Slow: a\r\n"):  # never the blank line
            try:
                sock.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            if closes(sock, 0.5):
                break
            assert time.monotonic() < deadline, "the slow header section is still being read"


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive_timeout(quick):
    with connect(quick) as sock:
        sock.sendall(b"GET /axis-cgi/basicdeviceinfo.cgi HTTP/1.1\r\nHost: device\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()
        assert not response.will_close
        assert closes(sock, SHORT["KEEP_ALIVE"] + MARGIN)


def test_a_stalled_body_is_closed_after_the_body_timeout(quick):
    with connect(quick) as sock:
        sock.sendall(b"POST /axis-cgi/param.cgi HTTP/1.1\r\nHost: device\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100\r\n\r\naction=lis")
        assert closes(sock, SHORT["BODY_TIMEOUT"] + MARGIN)


def test_a_slow_but_steady_body_is_not_cut_off(quick):
    """As live audio to transmit.cgi: a chunk every second, for well past the
    body timeout; only silence counts."""
    with connect(quick) as sock:
        sock.sendall(b"POST /axis-cgi/param.cgi HTTP/1.1\r\nHost: device\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        for piece in (b"action", b"=list", b"&group", b"=Brand", b"&x=", b"1"):
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            assert not closes(sock, 1), "the server closed a body that kept coming"
        sock.sendall(b"0\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
    assert 200 <= response.status < 500


def test_a_response_slower_than_every_timeout_is_still_delivered(quick):
    """No clock runs while the application has the request: systemready.cgi
    waits out its timeout here (nothing but herald-web is running)."""
    body = {"apiVersion": "1.0", "method": "systemready", "params": {"timeout": 4}}
    with quick.vapix() as anonymous:
        reply = anonymous.post("/axis-cgi/systemready.cgi", json=body)
    assert reply.status_code == 200
    assert reply.json()["data"]["systemready"] == "no"


def test_the_web_admin_is_ready_before_redis_and_announced_once_redis_answers(tmp_path):
    """On the device herald-web is a Type=notify unit that does not wait for
    Redis at boot: it tells systemd READY=1 once it answers (the services
    ordered after it start then), whether Redis runs yet or not, and says on
    the bus which ports it serves (Status shows them) once Redis answers."""
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify"))
    notify.settimeout(60)
    for directory in ("redis", "web"):
        (tmp_path / directory).mkdir()
    url = f"unix://{tmp_path / 'redis' / 'redis.sock'}"  # nothing listens there yet
    stack = HeraldStack(tmp_path / "web", url, {"NOTIFY_SOCKET": str(tmp_path / "notify")})
    with notify:
        try:
            stack.start_web()
            assert notify.recv(64) == b"READY=1"
            host, port = stack.http_url.removeprefix("http://").split(":")
            client = http.client.HTTPConnection(host, int(port), timeout=10)
            client.request("GET", "/")
            assert client.getresponse().status == 302  # to the login page
            with redis_server(tmp_path / "redis"):
                announced = wait_until(lambda: Bus(url).state().get(WEB), timeout=30,
                                       what="herald-web to announce itself")
            assert announced["http"] == int(port)
        finally:
            stack.stop()
