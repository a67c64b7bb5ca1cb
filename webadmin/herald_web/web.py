"""herald-web: migrate the database, then serve the ASGI app over HTTP and
HTTPS (device: ports 80 and 443 on all addresses; development: a port of
your choice on localhost, HTTPS only when asked for)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import logging
import os
import signal
import socket
import sys
from collections.abc import Iterator

import redis
import uvicorn

from herald.environment import current
from herald.systemd_notify import notify_ready
from herald_web.contract import WEB

log = logging.getLogger("herald_web.web")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to `serve` (two servers share them)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _options(argv: list[str] | None) -> argparse.Namespace:
    device = current().is_device
    parser = argparse.ArgumentParser(prog="herald-web", description=__doc__)
    parser.add_argument("--host", default=os.environ.get(
        "HERALD_WEB_HOST", "::" if device else "127.0.0.1"))
    parser.add_argument("--http-port", type=int, default=int(os.environ.get(
        "HERALD_HTTP_PORT", 80 if device else 8000)))
    parser.add_argument("--https-port", type=int, default=(
        int(os.environ["HERALD_HTTPS_PORT"]) if "HERALD_HTTPS_PORT" in os.environ
        else 443 if device else None), help="0 picks a free port; leave out for none")
    return parser.parse_args(argv)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket; "::" takes IPv4 too, or falls back to IPv4 alone
    on a kernel without IPv6. Made as TCP by name: asyncio turns Nagle's
    algorithm off (TCP_NODELAY) only on connections of such a socket, and with
    Nagle on every request on a kept-alive connection waits ~40 ms."""
    if host == "::" and not socket.has_ipv6:
        host = "0.0.0.0"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except OSError:
        if host != "::":
            raise
        return _listen("0.0.0.0", port)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((host, port))
    sock.listen(256)
    sock.set_inheritable(True)
    return sock


async def _serve(servers: list[tuple[_Server, socket.socket]], ports: dict[str, int]) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server, _ in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    announcing = asyncio.create_task(_announce_when_redis_answers(ports))
    try:
        await asyncio.gather(*(server.serve(sockets=[sock]) for server, sock in servers))
    finally:
        announcing.cancel()


async def _announce_when_redis_answers(ports: dict[str, int]) -> None:
    """Say on the bus which ports serve (Status shows it). At boot the web admin
    does not wait for Redis to start (it serves without it, and /healthz
    reports Redis missing), so the first tries may find no Redis yet."""
    for attempt in itertools.count():
        try:
            await asyncio.to_thread(_announce, {"pid": os.getpid(), **ports})
            return
        except redis.RedisError as exc:
            if not attempt:
                log.info("Redis does not answer yet (%s): the web service is announced "
                         "once it does", exc)
            await asyncio.sleep(1)


def _announce(value: dict[str, int] | None) -> None:
    from herald_web.device import bus

    bus().set_state(WEB, value)


def main(argv: list[str] | None = None) -> None:
    from herald_web.startup import start

    options = _options(argv)
    start("herald-web")
    from herald_web.maintenance import uploads

    for name in uploads.discard_partial():  # their connections ended with the last process
        log.info("dropped the incomplete firmware upload %s", name)

    from django.conf import settings

    from herald.system.identity import this_device
    from herald_web import certificates
    from herald_web.bodies import KEEP_ALIVE_SECONDS
    from herald_web.connections import GuardedProtocol

    common = {"lifespan": "off", "access_log": False, "server_header": False,
              "proxy_headers": False, "log_config": None, "ws_max_size": 1 << 20,
              "timeout_graceful_shutdown": 5, "http": GuardedProtocol,
              "timeout_keep_alive": KEEP_ALIVE_SECONDS}
    servers = []
    http = _listen(options.host, options.http_port)
    servers.append((_Server(uvicorn.Config("herald_web.asgi:application", **common)), http))
    ports = {"http": http.getsockname()[1]}
    if options.https_port is not None:
        cert, key = certificates.ensure(settings.ENVIRONMENT.certs_dir, this_device().hostname)
        https = _listen(options.host, options.https_port)
        config = uvicorn.Config("herald_web.asgi:application", ssl_certfile=str(cert),
                                ssl_keyfile=str(key), **common)
        servers.append((_Server(config), https))
        ports["https"] = https.getsockname()[1]
    shown = {"127.0.0.1": "localhost", "::1": "localhost"}.get(options.host, options.host)
    shown = f"[{shown}]" if ":" in shown else shown
    for scheme, port in ports.items():
        print(f"herald-web: serving {scheme}://{shown}:{port}/", flush=True)
    log.info("serving %s", ", ".join(f"{s} on port {p}" for s, p in ports.items()))
    import herald_web.asgi  # noqa: F401  (loaded now, so that the freeze covers it)

    # What start-up made lives as long as the process: the collector stops
    # walking it, which took a busy server's slowest replies from about
    # 70 to 35 ms.
    gc.freeze()
    notify_ready()  # the sockets listen and the app is loaded: requests are answered
    try:
        asyncio.run(_serve(servers, ports))
    finally:
        with contextlib.suppress(redis.RedisError):
            _announce(None)
        log.info("stopped")
    sys.exit(0)


if __name__ == "__main__":
    main()
