"""Real servers on localhost for the recipients' and the outbox's tests: SMTP
(aiosmtpd), HTTP and HTTPS (http.server, Basic and Digest), FTP (pyftpdlib),
SFTP (asyncssh) and a TCP listener; a throwaway CA for their certificates.
Each keeps what it was sent, as it got it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
import ssl
import threading
import urllib.request
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import asyncssh
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

HOST = "127.0.0.1"
USER = "herald"
PASSWORD = "s3cret-Pa55"


# A CA and a server certificate for localhost and 127.0.0.1 ---------------------------------

@dataclass(frozen=True)
class Pki:
    ca_pem: str
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_pki(directory: Path) -> Pki:
    """Certificates as strict as Python 3.13's default client checks them
    (VERIFY_X509_STRICT: key usages, key identifiers)."""
    now = datetime.now(UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Herald test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())

    def builder(subject: x509.Name, key: ec.EllipticCurvePrivateKey) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(hours=1))
                .not_valid_after(now + timedelta(days=1))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False))

    ca = (builder(ca_name, ca_key)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    server = (builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]),
                      server_key)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                           False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                             critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                  ca_ski), critical=False)
              .add_extension(x509.SubjectAlternativeName(
                  [x509.DNSName("localhost"), x509.IPAddress(IPv4Address(HOST))]),
                  critical=False)
              .sign(ca_key, hashes.SHA256()))
    cert_file, key_file = directory / "server.pem", directory / "server.key"
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return Pki(ca.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file)


# An event loop in a thread, for the asyncio servers (SMTP, SFTP) -------------------------------

class Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def close_server(self, server: asyncio.AbstractServer | asyncssh.SSHAcceptor) -> None:
        """Close a server in its loop's thread: asyncio's servers are not
        thread-safe, and closing one from outside raced with the loop."""
        async def close() -> None:
            server.close()
            await server.wait_closed()
        self.run(close())

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@contextmanager
def event_loop() -> Iterator[Loop]:
    loop = Loop()
    try:
        yield loop
    finally:
        loop.close()


@dataclass
class Server:
    """A server's port and what it was sent."""

    port: int
    received: list[Any] = field(default_factory=list)


# SMTP --------------------------------------------------------------------------------------

class _Mailbox:
    def __init__(self, server: Server) -> None:
        self.server = server

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        # Lines as a mail store keeps them, not as SMTP carries them.
        content = (envelope.original_content or b"").replace(b"\r\n", b"\n")
        self.server.received.append((envelope.mail_from, envelope.rcpt_tos,
                                     message_from_bytes(content, policy=policy.default)))
        return "250 OK"


def _login(smtp: SMTP, session: Session, envelope: Envelope, mechanism: str,
           data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(loop: Loop, pki: Pki | None, implicit_tls: bool = False) -> Iterator[Server]:
    """With `pki`: STARTTLS (or TLS from the start) and a login required;
    without: plain SMTP, no login. Received: (from, to, EmailMessage)."""
    server = Server(0)
    tls = pki.server_context() if pki else None

    def factory() -> SMTP:
        if tls is None:
            return SMTP(_Mailbox(server), hostname="mail.test")
        return SMTP(_Mailbox(server), hostname="mail.test", authenticator=_login,
                    auth_required=True, tls_context=None if implicit_tls else tls,
                    require_starttls=not implicit_tls, auth_require_tls=not implicit_tls)

    async def start() -> asyncio.AbstractServer:
        return await loop.loop.create_server(factory, HOST, 0,
                                             ssl=tls if implicit_tls else None)

    listener = loop.run(start())
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        loop.close_server(listener)


# HTTP and HTTPS ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query
    body: bytes
    content_type: str
    auth: str  # the scheme of the login that was accepted, or ""


class _Handler(BaseHTTPRequestHandler):
    """/basic... and /digest... want that login; /moved redirects; /echo
    asks for Basic, then refuses with the login in its reason (as a careless
    server might); /missing is 404; anything else is answered 200."""

    server: _HttpServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        given = self.headers.get("Authorization", "")
        if self.path.startswith("/moved"):
            return self._reply(302, {"Location": "/elsewhere"})
        if self.path.startswith("/missing"):
            return self._reply(404)
        wanted = next((scheme for scheme in ("basic", "digest")
                       if self.path.startswith(f"/{scheme}")), "")
        if self.path.startswith("/echo"):
            if not given:
                return self._reply(401, {"WWW-Authenticate": 'Basic realm="herald-test"'})
            return self._reply(403, reason=base64.b64decode(given.split()[-1]).decode())
        if wanted == "basic" and given != "Basic " + base64.b64encode(
                f"{USER}:{PASSWORD}".encode()).decode():
            return self._reply(401, {"WWW-Authenticate": 'Basic realm="herald-test"'})
        if wanted == "digest" and not self._digest_ok(given):
            return self._reply(401, {"WWW-Authenticate": f'Digest realm="herald-test", '
                                     f'nonce="{self.server.nonce}", algorithm=MD5, qop="auth"'})
        self.server.received.append(Request(self.command, self.path, body,
                                             self.headers.get("Content-Type", ""), wanted))
        self._reply(200)

    def _digest_ok(self, given: str) -> bool:
        if not given.startswith("Digest "):
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(given[7:]))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{USER}:herald-test:{PASSWORD}")
        ha2 = md5(f"{self.command}:{fields.get('uri')}")
        expected = md5(f"{ha1}:{self.server.nonce}:{fields.get('nc')}:{fields.get('cnonce')}:"
                       f"auth:{ha2}")
        return fields.get("username") == USER and fields.get("response") == expected

    def _reply(self, status: int, headers: dict[str, str] | None = None,
               reason: str | None = None) -> None:
        self.send_response(status, reason)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    nonce = "6f1c0c3b1a2d4e5f"
    received: list[Request]


@contextmanager
def http_server(pki: Pki | None) -> Iterator[Server]:
    """HTTP, or HTTPS with `pki`'s certificate. Received: Request."""
    httpd = _HttpServer((HOST, 0), _Handler)
    if pki:
        httpd.socket = pki.server_context().wrap_socket(httpd.socket, server_side=True)
    server = Server(httpd.server_address[1])
    httpd.received = server.received
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


# FTP ---------------------------------------------------------------------------------------

@contextmanager
def ftp_server(root: Path) -> Iterator[Server]:
    """A login USER/PASSWORD with `root` as its home. Received: the commands
    (PASV, PORT, STOR, RNFR, ...), the files are in `root`."""
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(root), perm="elradfmwMT")
    server = Server(0)

    class Handler(FTPHandler):
        def pre_process_command(self, line: str, cmd: str, arg: str) -> None:
            server.received.append(cmd)
            super().pre_process_command(line, cmd, arg)

    Handler.authorizer = authorizer
    Handler.auth_failed_timeout = 0  # a wrong password is answered at once, not after 3 s
    ftpd = FTPServer((HOST, 0), Handler)
    server.port = ftpd.address[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            ftpd.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        ftpd.close_all()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join()


# SFTP --------------------------------------------------------------------------------------

class _SshLogin(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return (username, password) == (USER, PASSWORD)


@contextmanager
def sftp_server(loop: Loop, root: Path, host_keys: list[asyncssh.SSHKey]) -> Iterator[Server]:
    """A login USER/PASSWORD, SFTP in `root`; the files are there."""
    async def start() -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            HOST, 0, server_host_keys=host_keys, server_factory=_SshLogin,
            sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(root).encode()))

    acceptor = loop.run(start())
    try:
        yield Server(acceptor.sockets[0].getsockname()[1])
    finally:
        loop.close_server(acceptor)


# TCP ---------------------------------------------------------------------------------------

class TcpListener:
    """A port that refuses connections until listen() (bound, not listening,
    so the port stays its own); then each connection's bytes, to its end,
    are one item of `received`."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind((HOST, 0))
        self.socket.settimeout(0.05)  # so that accepting sees `stop` soon
        self.port = self.socket.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept)

    def listen(self) -> None:
        self.socket.listen()
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                if self.stop.is_set():
                    return  # and no connection is waiting
                continue
            with connection:
                connection.settimeout(10)
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
                self.received.append(b"".join(chunks))

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)
        self.socket.close()


@contextmanager
def tcp_listener(listening: bool = True) -> Iterator[TcpListener]:
    listener = TcpListener()
    if listening:
        listener.listen()
    try:
        yield listener
    finally:
        listener.close()
