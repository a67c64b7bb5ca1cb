"""What every recipient shares: the notification it is sent, its
configuration checked field by field when it is made (a page, VAPIX or the
database may hand it over, so the check is in one place), its plain dict form
for the database's JSON, and one way a delivery fails, with a reason a person
can act on."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import socket
import ssl
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from herald.events.contract import MAX_NAME

# Seconds a delivery waits for each step on the network (connecting, each answer).
DEFAULT_TIMEOUT = 20.0

# One label of a host name (RFC 1123): letters, digits, inner hyphens.
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
# Characters an SMTP mailbox's local part may hold without quoting (RFC 5321 atoms and dots).
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false"}


class InvalidRecipient(ValueError):
    """A field of a recipient that a person got wrong; `field` names it, so
    a page can show the problem beside it."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name


class DeliveryFailed(Exception):
    """A notification did not reach its recipient; the message says why in
    words a person can act on, and never holds a password."""


@dataclass(frozen=True)
class Attachment:
    """A file to send: a recording or a clip, or a notification's text."""

    name: str
    data: bytes

    def __post_init__(self) -> None:
        if (not self.name or self.name in (".", "..") or "/" in self.name or "\\" in self.name
                or _CONTROL.search(self.name)):
            raise ValueError(f"attachment: {self.name!r} is not a file name")


@dataclass(frozen=True)
class Notification:
    """What is sent: the subject (email's subject line, the text file's name),
    the message, and optionally a file for the recipients that take files."""

    subject: str = ""
    message: str = ""
    attachment: Attachment | None = None

    def __post_init__(self) -> None:
        if _CONTROL.search(self.subject):
            raise ValueError("subject: must be one line")

    def file(self) -> Attachment:
        """The file an upload sends: the attachment, or else the message as a
        UTF-8 text file named after the subject."""
        if self.attachment:
            return self.attachment
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", self.subject).strip("-.").lower()
        return Attachment(f"{stem or 'notification'}.txt", self.message.encode())


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """A configured recipient (System > Events > Recipients): made only valid,
    sent notifications with deliver()."""

    TYPE: ClassVar[str]  # the manual's Type, as the dict form's "type"
    TAKES_FILES: ClassVar[bool] = True  # whether it can be sent an attachment

    name: str

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for item in dataclasses.fields(self):
            value, wanted = getattr(self, item.name), hints[item.name]
            if type(value) is not wanted:
                raise InvalidRecipient(item.name, f"must be {_TYPE_NAMES[wanted]}")
        if not self.name.strip():
            raise InvalidRecipient("name", "required")
        if len(self.name) > MAX_NAME:
            raise InvalidRecipient("name", f"at most {MAX_NAME} characters")
        one_line("name", self.name)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """The recipient a dict describes (its "type" is this class's TYPE)."""
        if raw.get("type", cls.TYPE) != cls.TYPE:
            raise InvalidRecipient("type", f"{raw['type']!r} is not {cls.TYPE}")
        fields = {item.name: item for item in dataclasses.fields(cls)}
        for key in raw:
            if key not in fields and key != "type":
                raise InvalidRecipient(key, f"not a field of {cls.TYPE} recipients")
        for name, item in fields.items():
            if (name not in raw and item.default is dataclasses.MISSING
                    and item.default_factory is dataclasses.MISSING):
                raise InvalidRecipient(name, "required")
        return cls(**{name: raw[name] for name in fields if name in raw})

    def to_dict(self) -> dict[str, Any]:
        """The dict form, with the password: store it, never log it."""
        return {"type": self.TYPE, **dataclasses.asdict(self)}

    @property
    def address(self) -> str:
        """Where it is reached, as failure reasons name it ("host:port")."""
        raise NotImplementedError

    def deliver(self, notification: Notification, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Send `notification`, or raise DeliveryFailed saying why not.
        Blocking: call it from a worker or a thread, not an event loop."""
        if notification.attachment and not self.TAKES_FILES:
            raise DeliveryFailed(f"{self.TYPE.upper()} recipients take messages, not files: "
                                 f"choose a recipient of another type")
        secret = self._secret()
        try:
            self._send(notification, timeout)
        except DeliveryFailed as failure:
            reason = str(failure)
        except OSError as error:
            reason = network_reason(error, self.address, timeout)
        else:
            return
        # A server may repeat what it was sent in its answer; a reason is logged and shown.
        raise DeliveryFailed(reason.replace(secret, "********") if secret else reason)

    def _send(self, notification: Notification, timeout: float) -> None:
        raise NotImplementedError

    def _secret(self) -> str:
        """What a reason must never show."""
        return ""


@dataclass(frozen=True, kw_only=True)
class Login(Recipient):
    """The user name and password a server may ask for (empty: none)."""

    username: str = ""
    password: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        one_line("username", self.username)
        one_line("password", self.password)

    def _secret(self) -> str:
        return self.password


@dataclass(frozen=True, kw_only=True)
class ServerRecipient(Recipient):
    """A recipient reached at a host and port."""

    host: str
    port: int

    def __post_init__(self) -> None:
        super().__post_init__()
        check_host("host", self.host)
        check_port("port", self.port)

    @property
    def address(self) -> str:
        return host_port(self.host, self.port)


def one_line(field_name: str, value: str) -> None:
    """Line breaks and other control characters would end a command early on
    the wire (FTP, SMTP): refused, not sent."""
    if _CONTROL.search(value):
        raise InvalidRecipient(field_name, "must be one line of text, without control characters")


def choice(field_name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidRecipient(field_name, f"must be one of {', '.join(choices)}, not {value!r}")


def check_host(field_name: str, host: str) -> None:
    """An IP address or a host name (RFC 1123)."""
    if not host:
        raise InvalidRecipient(field_name, "required: the server's IP address or host name")
    if "/" in host or (":" in host and not _is_ip(host)):
        raise InvalidRecipient(field_name, f"{host!r} is not a host name or IP address "
                                           f"(enter the host alone, not a URL or host:port)")
    if _is_ip(host):
        return
    labels = host.removesuffix(".").split(".")
    if (len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels)
            or labels[-1].isdigit()):
        raise InvalidRecipient(field_name, f"{host!r} is not a host name or IP address")


def check_port(field_name: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise InvalidRecipient(field_name, f"must be from 1 to 65535, not {port}")


def check_email(field_name: str, address: str) -> None:
    """A plain mailbox, local@domain, as SMTP's MAIL FROM and RCPT TO take it."""
    local, at, domain = address.rpartition("@")
    if not (at and _LOCAL_PART.fullmatch(local) and ".." not in local
            and not local.startswith(".") and not local.endswith(".")):
        raise InvalidRecipient(field_name, f"{address!r} is not an email address")
    try:
        check_host(field_name, domain)
    except InvalidRecipient:
        raise InvalidRecipient(field_name, f"{address!r} is not an email address") from None


def check_ca(field_name: str, ca: str) -> None:
    """Empty, or certificates in PEM that a TLS client can trust."""
    if ca:
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=ca)
        except (ssl.SSLError, ValueError):
            raise InvalidRecipient(field_name, "must be certificates in PEM form "
                                               "(-----BEGIN CERTIFICATE----- ...)") from None


def tls_context(validate: bool, ca: str) -> ssl.SSLContext:
    """A client context: the system's CAs and `ca` trusted, or, with
    validation off, any certificate accepted (the connection is encrypted
    but the server unproven)."""
    if not validate:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    context = ssl.create_default_context()
    # What Python 3.13 (the device's) checks by default, so that the build
    # host's 3.11 refuses the same certificates.
    context.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
    if ca:
        context.load_verify_locations(cadata=ca)
    return context


def temporary_file_name() -> str:
    """A name no upload has, for a file on its way in (FTP, SFTP)."""
    return f"herald-{os.urandom(6).hex()}.tmp"


def host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def network_reason(error: OSError, address: str, timeout: float) -> str:
    """Why a connection to `address` failed, as a person can act on it."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the certificate of {address} is not trusted: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"the TLS connection to {address} failed: {error.reason or error}"
    if isinstance(error, socket.gaierror):
        return (f"the host name in {address} could not be resolved: check it, and the DNS "
                f"servers under System > Network")
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused by {address}"
    if isinstance(error, TimeoutError):
        return f"no answer from {address} within {timeout:g} s"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return f"{address} closed the connection"
    return f"could not reach {address}: {error.strerror or error}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
