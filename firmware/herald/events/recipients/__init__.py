"""Recipients of notifications (System > Events > Recipients): Email, HTTP,
HTTPS, FTP, SFTP and TCP, each a checked configuration with a dict form for
the database and a deliver(); test() sends the Test button's notification.
Network storage (SMB) waits for the storage work; SIP and VMS calls belong
to SIP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from herald.events.recipients.base import (
    DEFAULT_TIMEOUT,
    Attachment,
    DeliveryFailed,
    InvalidRecipient,
    Notification,
    Recipient,
)
from herald.events.recipients.email import EmailRecipient
from herald.events.recipients.ftp import FtpRecipient
from herald.events.recipients.http import HttpRecipient, HttpsRecipient
from herald.events.recipients.sftp import SftpRecipient
from herald.events.recipients.tcp import TcpRecipient

__all__ = [
    "DEFAULT_TIMEOUT",
    "TEST_NOTIFICATION",
    "TYPES",
    "Attachment",
    "DeliveryFailed",
    "EmailRecipient",
    "FtpRecipient",
    "HttpRecipient",
    "HttpsRecipient",
    "InvalidRecipient",
    "Notification",
    "Recipient",
    "SftpRecipient",
    "TcpRecipient",
    "from_dict",
    "test",
]

# The manual allows 20 recipients; the limit is the store's to keep.
TYPES: dict[str, type[Recipient]] = {
    kind.TYPE: kind for kind in (EmailRecipient, HttpRecipient, HttpsRecipient, FtpRecipient,
                                 SftpRecipient, TcpRecipient)}

TEST_NOTIFICATION = Notification(
    subject="Herald test notification",
    message="This is a test notification from a Herald speaker: the recipient works.")


def from_dict(raw: Mapping[str, Any]) -> Recipient:
    """The recipient a stored or submitted dict describes; InvalidRecipient
    naming the field that is wrong."""
    kind = TYPES.get(raw.get("type"))  # type: ignore[arg-type]
    if kind is None:
        raise InvalidRecipient("type", f"must be one of {', '.join(TYPES)}, "
                                       f"not {raw.get('type')!r}")
    return kind.from_dict(raw)


def test(recipient: Recipient, timeout: float = DEFAULT_TIMEOUT) -> None:
    """The Test button: send the test notification now, not through the
    outbox, so the person who pressed it sees DeliveryFailed's reason."""
    recipient.deliver(TEST_NOTIFICATION, timeout)
