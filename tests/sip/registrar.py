"""A SIP registrar for the tests, on UDP in the test's namespace: it asks
each REGISTER for digest credentials (RFC 3261 22, MD5 without qop) and
takes the contact of a user with the right password, refusing a wrong one
with 403. Just enough of a PBX to see an account register or fail."""

from __future__ import annotations

import hashlib
import secrets
import threading

from tests.sip.netns import Namespace

REALM = "herald-test"
REGISTRAR_PORT = 5080  # in the tests' namespace


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _digest_fields(header: str) -> dict[str, str]:
    fields = {}
    for part in header.removeprefix("Digest").split(","):
        name, _, value = part.strip().partition("=")
        fields[name.strip().lower()] = value.strip().strip('"')
    return fields


class Registrar:
    def __init__(self, namespace: Namespace, port: int, users: dict[str, str]) -> None:
        self.port, self.users = port, users  # user: password
        self.contacts: dict[str, str] = {}  # user: the contact it registered
        self.nonce = secrets.token_hex(8)
        self.sock = namespace.udp(port)
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                data, sender = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            reply = self._answer(data.decode(errors="replace"))
            if reply:
                self.sock.sendto(reply.encode(), sender)

    def _answer(self, message: str) -> str:
        head = message.split("\r\n\r\n", 1)[0].split("\r\n")
        if not head[0].startswith("REGISTER "):
            return ""
        headers: list[tuple[str, str]] = []
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        copied = [f"{n}: {v}" for n, v in headers if n in ("via", "from", "call-id", "cseq")]
        to = next(v for n, v in headers if n == "to")
        copied.append(f"To: {to};tag=registrar")
        auth = next((v for n, v in headers if n == "authorization"), "")
        status, extra = "401 Unauthorized", [
            f'WWW-Authenticate: Digest realm="{REALM}", nonce="{self.nonce}", algorithm=MD5']
        if auth:
            given = _digest_fields(auth)
            user = given.get("username", "")
            if user in self.users and given.get("response") == _md5(":".join((
                    _md5(f"{user}:{REALM}:{self.users[user]}"), self.nonce,
                    _md5(f"REGISTER:{given.get('uri', '')}")))):
                contact = next((v for n, v in headers if n == "contact"), "")
                self.contacts[user] = contact
                status, extra = "200 OK", [f"Contact: {contact}", "Expires: 3600"]
            else:
                status, extra = "403 Forbidden", []
        return "\r\n".join([f"SIP/2.0 {status}", *copied, *extra, "Content-Length: 0", "", ""])

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()
