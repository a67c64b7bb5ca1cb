"""SFTP recipients: a file uploaded over SSH to a server known by its host
key's fingerprint (SHA-256, or MD5 as the manual also offers), with a
password login; under a temporary name first if asked."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from herald.events.recipients.base import (
    InvalidRecipient,
    Login,
    Notification,
    ServerRecipient,
    one_line,
)

if TYPE_CHECKING:
    import asyncssh


@dataclass(frozen=True, kw_only=True)
class SftpRecipient(ServerRecipient, Login):
    """The fingerprints are as `ssh-keygen -l -f key.pub` prints them (the
    SHA-256 one with or without "SHA256:" or base64's padding, the MD5 one
    with or without colons); kept without prefix, padding or colons. At least one is required: an
    SFTP server not known by its key could be anyone's."""

    TYPE = "sftp"

    port: int = 22
    username: str
    folder: str = ""  # must exist on the server; relative to the user's home
    sha256_fingerprint: str = ""
    md5_fingerprint: str = ""
    temporary_name: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.username:
            raise InvalidRecipient("username", "required")
        one_line("folder", self.folder)
        sha256 = self.sha256_fingerprint.strip().removeprefix("SHA256:").rstrip("=")
        md5 = self.md5_fingerprint.strip().removeprefix("MD5:").replace(":", "").lower()
        if sha256 and not re.fullmatch(r"[A-Za-z0-9+/]{43}", sha256):
            raise InvalidRecipient("sha256_fingerprint", "must be the 43 characters after "
                                                         "SHA256: in ssh-keygen -l's output")
        if md5 and not re.fullmatch(r"[0-9a-f]{32}", md5):
            raise InvalidRecipient("md5_fingerprint", "must be 32 hexadecimal digits")
        if not sha256 and not md5:
            raise InvalidRecipient("sha256_fingerprint", "required (or the MD5 fingerprint): "
                                                         "the server's host key fingerprint")
        object.__setattr__(self, "sha256_fingerprint", sha256)
        object.__setattr__(self, "md5_fingerprint", md5)

    def _send(self, notification: Notification, timeout: float) -> None:
        from herald.events.recipients.sftp_upload import upload  # (why there: its docstring)

        asyncio.run(upload(self, notification.file(), timeout))

    def pinned(self) -> dict[str, str]:
        """The fingerprints configured, by kind ("SHA256", "MD5")."""
        return {kind: value for kind, value in (("SHA256", self.sha256_fingerprint),
                                                ("MD5", self.md5_fingerprint)) if value}

    def fingerprints(self, key: asyncssh.SSHKey) -> dict[str, str]:
        """`key`'s fingerprints of the kinds configured, in the form kept."""
        return {kind: key.get_fingerprint(kind.lower()).removeprefix(f"{kind}:").replace(":", "")
                for kind in self.pinned()}
