"""FTP recipients: a file (a recording, a clip, or the message as text)
uploaded into a folder, passive or active, under a temporary name first if
asked, so a file with its own name is always whole."""

from __future__ import annotations

import ftplib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from herald.events.recipients.base import (
    DeliveryFailed,
    Login,
    Notification,
    ServerRecipient,
    one_line,
    temporary_file_name,
)


@dataclass(frozen=True, kw_only=True)
class FtpRecipient(ServerRecipient, Login):
    """An empty user name logs in as anonymous."""

    TYPE = "ftp"

    port: int = 21
    folder: str = ""  # must exist on the server
    passive: bool = True
    temporary_name: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        one_line("folder", self.folder)

    def _send(self, notification: Notification, timeout: float) -> None:
        file = notification.file()
        stored = temporary_file_name() if self.temporary_name else file.name
        with ftplib.FTP(timeout=timeout) as ftp:
            with _refusal("the FTP server refused the connection"):
                ftp.connect(self.host, self.port)
            with _refusal("the FTP server refused the login"):
                ftp.login(self.username, self.password)
            ftp.set_pasv(self.passive)
            if self.folder:
                with _refusal(f"the folder {self.folder!r} is not on the FTP server "
                              f"or not open to this user"):
                    ftp.cwd(self.folder)
            with _refusal(f"the FTP server did not store {file.name!r}"):
                ftp.storbinary(f"STOR {stored}", io.BytesIO(file.data))
            if stored != file.name:
                with _refusal(f"the FTP server did not rename {stored!r} to {file.name!r}"):
                    ftp.rename(stored, file.name)


@contextmanager
def _refusal(what: str) -> Iterator[None]:
    """An FTP server's refusal as a reason, with the server's own reply."""
    try:
        yield
    except ftplib.Error as error:
        raise DeliveryFailed(f"{what}: {error}") from None
    except EOFError:
        raise DeliveryFailed(f"{what}: the server closed the connection") from None
