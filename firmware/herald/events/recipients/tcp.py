"""TCP recipients: the message, as UTF-8, to a host and port; the
connection closed after it, which tells the listener it is whole."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from herald.events.recipients.base import Notification, ServerRecipient


@dataclass(frozen=True, kw_only=True)
class TcpRecipient(ServerRecipient):
    TYPE = "tcp"
    TAKES_FILES = False

    def _send(self, notification: Notification, timeout: float) -> None:
        with socket.create_connection((self.host, self.port), timeout=timeout) as connection:
            connection.sendall(notification.message.encode())
            connection.shutdown(socket.SHUT_WR)
