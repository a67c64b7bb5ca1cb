"""Email recipients: SMTP with STARTTLS (port 587), implicit TLS ("SSL",
usually port 465) or no encryption; a login when the server wants one."""

from __future__ import annotations

import logging
import mimetypes
import smtplib
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from herald.events.recipients.base import (
    DeliveryFailed,
    InvalidRecipient,
    Login,
    Notification,
    ServerRecipient,
    check_ca,
    check_email,
    choice,
    tls_context,
)

log = logging.getLogger(__name__)

TLS, SSL, NONE = "tls", "ssl", "none"  # the manual's Encryption: STARTTLS, implicit TLS, none


@dataclass(frozen=True, kw_only=True)
class EmailRecipient(ServerRecipient, Login):
    TYPE = "email"

    to: str  # addresses, separated by commas
    sender: str
    port: int = 587
    encryption: str = TLS
    validate_certificate: bool = True
    ca: str = ""  # PEM certificates to trust beside the system's

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.addresses:
            raise InvalidRecipient("to", "required: one or more email addresses, "
                                         "separated by commas")
        for address in self.addresses:
            check_email("to", address)
        check_email("sender", self.sender)
        choice("encryption", self.encryption, (TLS, SSL, NONE))
        check_ca("ca", self.ca)

    @property
    def addresses(self) -> list[str]:
        return [address.strip() for address in self.to.split(",") if address.strip()]

    def _send(self, notification: Notification, timeout: float) -> None:
        message = self._message(notification)
        context = tls_context(self.validate_certificate, self.ca)
        # The device's own name in EHLO: the default looks it up in the DNS,
        # which can take longer than the whole delivery may.
        local = socket.gethostname()
        step = "connect"
        try:
            if self.encryption == SSL:
                smtp = smtplib.SMTP_SSL(self.host, self.port, local, timeout=timeout,
                                        context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, local, timeout=timeout)
            with smtp:
                if self.encryption == TLS:
                    step = "starttls"
                    smtp.starttls(context=context)
                if self.username:
                    step = "login"
                    smtp.login(self.username, self.password)
                step = "send"
                refused = smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            if isinstance(error.__context__, OSError):  # smtplib's word for a timeout or reset
                raise error.__context__ from None
            raise DeliveryFailed("the SMTP server closed the connection") from None
        except smtplib.SMTPException as error:
            raise DeliveryFailed(_reason(error, step)) from None
        # The others have it: sending again would repeat it to them.
        for address, (code, text) in refused.items():
            log.warning("%s: the SMTP server refused %s: %s", self.name, address,
                        _answer(code, text))

    def _message(self, notification: Notification) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(self.addresses)
        message["Subject"] = notification.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2])
        message.set_content(notification.message)
        if notification.attachment:
            kind = mimetypes.guess_type(notification.attachment.name)[0]
            maintype, _, subtype = (kind or "application/octet-stream").partition("/")
            message.add_attachment(notification.attachment.data, maintype=maintype,
                                   subtype=subtype, filename=notification.attachment.name)
        return message


def _reason(error: smtplib.SMTPException, step: str) -> str:
    """What the SMTP server refused, and at which step."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if step == "starttls":
            return "the SMTP server does not offer STARTTLS: choose SSL, or no encryption"
        return ("the SMTP server offers no login on this connection: choose an encryption, "
                "or leave the user name empty")
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"the SMTP server refused the login: {_answer(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{address} ({_answer(code, text)})"
                            for address, (code, text) in error.recipients.items())
        return f"the SMTP server refused the addresses: {refused}"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return (f"the SMTP server refused the sender {error.sender}: "
                f"{_answer(error.smtp_code, error.smtp_error)}")
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the SMTP server answered {_answer(error.smtp_code, error.smtp_error)}"
    return f"the SMTP server could not be used ({step}): {error}"


def _answer(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
