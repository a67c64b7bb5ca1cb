"""An SFTP recipient's upload, apart from its configuration: asyncssh takes
a quarter of a second to import on the build host (more on the device), which
only a delivery should pay, not every process that reads recipients."""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import asyncssh

from herald.events.recipients.base import Attachment, DeliveryFailed, temporary_file_name

if TYPE_CHECKING:
    from herald.events.recipients.sftp import SftpRecipient

# Host key types in the manual's order of preference: RSA, ECDSA, Ed25519.
# The server shows one key, of the first type both sides know, so this order
# says which key's fingerprint a person has to enter. DSA is left out: OpenSSH
# dropped it as too weak.
HOST_KEY_ALGORITHMS = ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ecdsa-sha2-nistp256",
                       "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-ed25519")
CHUNK = 64 * 1024  # bytes written per step; each step has the delivery's timeout


async def upload(recipient: SftpRecipient, file: Attachment, timeout: float) -> None:
    offered: list[asyncssh.SSHKey] = []

    class PinnedHostKey(asyncssh.SSHClient):
        def validate_host_public_key(self, host: str, addr: str, port: int,
                                     key: asyncssh.SSHKey) -> bool:
            offered.append(key)
            return recipient.fingerprints(key) == recipient.pinned()

    # Only what the recipient says: no known_hosts (an empty list, so the key
    # goes to the client above), no ~/.ssh config, keys or agent.
    connect = asyncssh.connect(
        recipient.host, recipient.port, client_factory=PinnedHostKey, known_hosts=((), (), ()),
        server_host_key_algs=HOST_KEY_ALGORITHMS, config=[], client_keys=None, agent_path=None,
        gss_host=None, x509_trusted_certs=None, username=recipient.username,
        password=recipient.password, connect_timeout=timeout, login_timeout=timeout)
    stored = temporary_file_name() if recipient.temporary_name else file.name
    try:
        async with connect as connection, connection.start_sftp_client() as sftp:
            await _store(sftp, recipient.folder, file, stored, timeout)
    except asyncssh.HostKeyNotVerifiable:
        got = recipient.fingerprints(offered[-1])
        raise DeliveryFailed(f"host key fingerprint does not match: got {_shown(got)}, "
                             f"expected {_shown(recipient.pinned())}") from None
    except asyncssh.PermissionDenied:
        raise DeliveryFailed("the SFTP server refused the login") from None
    except asyncssh.DisconnectError as error:
        raise DeliveryFailed(f"the SSH server at {recipient.address} ended the connection: "
                             f"{error.reason}") from None
    except asyncssh.ChannelOpenError as error:
        raise DeliveryFailed(f"the SSH server at {recipient.address} does not offer SFTP: "
                             f"{error.reason}") from None


async def _store(sftp: asyncssh.SFTPClient, folder: str, file: Attachment, stored: str,
                 timeout: float) -> None:
    """Write `file` into `folder` as `stored`, then rename it if that is
    a temporary name."""
    with _refusal(f"the SFTP server did not store {file.name!r}"):
        try:
            handle = await asyncio.wait_for(sftp.open(posixpath.join(folder, stored), "wb"),
                                            timeout)
        except (asyncssh.SFTPNoSuchFile, asyncssh.SFTPNoSuchPath):
            raise DeliveryFailed(f"the folder {folder!r} is not on the SFTP server") from None
        async with handle:
            for start in range(0, len(file.data), CHUNK):
                await asyncio.wait_for(handle.write(file.data[start:start + CHUNK]), timeout)
    if stored != file.name:
        with _refusal(f"the SFTP server did not rename {stored!r} to {file.name!r}"):
            await asyncio.wait_for(sftp.posix_rename(posixpath.join(folder, stored),
                                                     posixpath.join(folder, file.name)), timeout)


@contextmanager
def _refusal(what: str) -> Iterator[None]:
    """An SFTP server's refusal as a reason, with the server's own words."""
    try:
        yield
    except asyncssh.SFTPError as error:
        raise DeliveryFailed(f"{what}: {error.reason}") from None


def _shown(fingerprints: dict[str, str]) -> str:
    return " ".join(f"{kind}:{value}" for kind, value in fingerprints.items())
