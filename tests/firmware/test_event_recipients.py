"""Recipients against real servers on localhost: each gets exactly what was
sent; an untrusted certificate, a wrong host key, a wrong login or a missing
folder is refused with a reason a person can act on; configurations a person
could get wrong are refused field by field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from herald.events import recipients
from herald.events.recipients import (
    TEST_NOTIFICATION,
    TYPES,
    Attachment,
    DeliveryFailed,
    EmailRecipient,
    FtpRecipient,
    HttpRecipient,
    HttpsRecipient,
    InvalidRecipient,
    Notification,
    SftpRecipient,
    TcpRecipient,
    from_dict,
)
from tests.firmware.recipient_servers import (
    HOST,
    PASSWORD,
    USER,
    Loop,
    Pki,
    Server,
    event_loop,
    ftp_server,
    http_server,
    make_pki,
    sftp_server,
    smtp_server,
    tcp_listener,
)

TIMEOUT = 5.0
CLIP = Attachment("doorbell.wav", bytes(range(256)) * 1000)  # not text, not one write


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def loop() -> Iterator[Loop]:
    with event_loop() as running:
        yield running


# Email -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def smtp(loop: Loop, pki: Pki) -> Iterator[Server]:
    with smtp_server(loop, pki) as server:
        yield server


def email(port: int, **fields: object) -> EmailRecipient:
    config = {"name": "Speaker test recipients", "to": "ops@example.com, desk@example.com",
              "sender": "speaker@example.com", "host": HOST, "port": port,
              "username": USER, "password": PASSWORD, **fields}
    return EmailRecipient(**config)  # type: ignore[arg-type]


def test_email_with_starttls_and_a_login_arrives_with_its_attachment(smtp, pki):
    smtp.received.clear()
    email(smtp.port, ca=pki.ca_pem).deliver(
        Notification("Speaker test failed", "The speaker test did not pass.", CLIP), TIMEOUT)
    (sender, to, message), = smtp.received
    assert sender == "speaker@example.com" and to == ["ops@example.com", "desk@example.com"]
    assert message["Subject"] == "Speaker test failed"
    assert message["To"] == "ops@example.com, desk@example.com"
    body, attachment = message.iter_parts()
    assert body.get_content() == "The speaker test did not pass.\n"
    assert attachment.get_filename() == "doorbell.wav"
    assert attachment.get_content_type() == "audio/x-wav"
    assert attachment.get_content() == CLIP.data


def test_email_over_implicit_tls_without_validation(loop, pki):
    with smtp_server(loop, pki, implicit_tls=True) as server:
        email(server.port, encryption="ssl", validate_certificate=False).deliver(
            Notification("Hello", "over SSL"), TIMEOUT)
        assert server.received[0][2].get_content() == "over SSL\n"


def test_email_without_encryption_or_login(loop):
    with smtp_server(loop, None) as server:
        email(server.port, encryption="none", username="", password="").deliver(
            Notification("Hello", "in the clear"), TIMEOUT)
        assert server.received[0][2]["Subject"] == "Hello"
        with pytest.raises(DeliveryFailed, match="does not offer STARTTLS: choose SSL"):
            email(server.port).deliver(Notification("Hello"), TIMEOUT)


def test_the_test_button_sends_the_test_notification(smtp, pki):
    smtp.received.clear()
    # Called through its module: imported alone, pytest would take it for a test.
    recipients.test(email(smtp.port, ca=pki.ca_pem), TIMEOUT)
    message = smtp.received[0][2]
    assert message["Subject"] == TEST_NOTIFICATION.subject
    assert message.get_content() == TEST_NOTIFICATION.message + "\n"


@pytest.mark.parametrize(("fields", "reason"), [
    ({"password": "wrong"}, "the SMTP server refused the login: 535 "),
    ({"username": ""}, "refused the sender speaker@example.com: 530 .*Authentication required"),
], ids=["wrong password", "no login"])
def test_email_refusals_say_why(smtp, pki, fields, reason):
    with pytest.raises(DeliveryFailed, match=reason):
        email(smtp.port, ca=pki.ca_pem, **fields).deliver(Notification("Hello"), TIMEOUT)


# HTTP and HTTPS ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def https(pki: Pki) -> Iterator[Server]:
    with http_server(pki) as server:
        yield server


@pytest.fixture(scope="module")
def http() -> Iterator[Server]:
    with http_server(None) as server:
        yield server


def test_http_get_sends_the_message_as_the_query(http):
    http.received.clear()
    url = f"http://{HOST}:{http.port}/axis-cgi/playclip.cgi"
    HttpRecipient(name="Speaker", url=url).deliver(Notification(message="clip=3&volume=50"))
    HttpRecipient(name="Speaker", url=url + "?location=bell.mp3").deliver(
        Notification(message="note=door bell"))
    HttpRecipient(name="Speaker", url=url + "?location=bell.mp3").deliver(Notification())
    assert [(r.method, r.path) for r in http.received] == [
        ("GET", "/axis-cgi/playclip.cgi?clip=3&volume=50"),
        ("GET", "/axis-cgi/playclip.cgi?location=bell.mp3&note=door%20bell"),
        ("GET", "/axis-cgi/playclip.cgi?location=bell.mp3")]


def test_http_post_sends_the_message_as_the_body_with_basic(http):
    http.received.clear()
    HttpRecipient(name="VMS", url=f"http://{HOST}:{http.port}/basic/notify", method="POST",
                  username=USER, password=PASSWORD).deliver(Notification(message="Dörr öppen"))
    (request,) = http.received
    assert (request.method, request.path, request.auth) == ("POST", "/basic/notify", "basic")
    assert request.body == "Dörr öppen".encode()
    assert request.content_type == "text/plain; charset=utf-8"


@pytest.mark.parametrize("scheme", ["basic", "digest"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_https_answers_the_login_the_server_asks_for(https, pki, scheme, method):
    https.received.clear()
    HttpsRecipient(name="VMS", url=f"https://localhost:{https.port}/{scheme}/notify",
                   method=method, username=USER, password=PASSWORD, ca=pki.ca_pem).deliver(
        Notification(message="event=button"), TIMEOUT)
    (request,) = https.received
    assert (request.method, request.auth) == (method, scheme)
    assert (request.path, request.body) == ((f"/{scheme}/notify?event=button", b"")
                                            if method == "GET" else
                                            (f"/{scheme}/notify", b"event=button"))


def test_https_without_validation_takes_any_certificate(https):
    https.received.clear()
    HttpsRecipient(name="VMS", url=f"https://{HOST}:{https.port}/open",
                   validate_certificate=False).deliver(Notification(), TIMEOUT)
    assert https.received[0].path == "/open"


def test_certificates_from_outside_the_trusted_cas_are_refused(smtp, https):
    """Validation is on by default and trusts the system's CAs, which do not
    include the test CA."""
    smtp.received.clear()
    https.received.clear()
    with pytest.raises(DeliveryFailed, match=r"^the certificate of 127\.0\.0\.1:\d+ is not "
                                             r"trusted: unable to get local issuer certificate$"):
        email(smtp.port).deliver(Notification("Hello"), TIMEOUT)
    with pytest.raises(DeliveryFailed, match=r"^the certificate of 127\.0\.0\.1:\d+ is not "
                                             r"trusted: unable to get local issuer certificate$"):
        HttpsRecipient(name="VMS", url=f"https://{HOST}:{https.port}/open").deliver(
            Notification(), TIMEOUT)
    assert not smtp.received and not https.received


@pytest.mark.parametrize(("path", "fields", "reason"), [
    ("/basic", {"password": "wrong"}, r"refused the user name or password \(401\)"),
    ("/digest", {"password": "wrong"}, r"refused the user name or password \(401\)"),
    ("/digest", {"username": "", "password": ""}, r"asks for a login \(401\): enter a user"),
    ("/moved", {}, r"redirected to /elsewhere \(302\): enter that URL instead"),
    ("/missing", {}, "the server answered 404 Not Found"),
], ids=["basic refused", "digest refused", "no login", "redirect", "not found"])
def test_https_refusals_say_why(https, pki, path, fields, reason):
    config = {"name": "VMS", "url": f"https://{HOST}:{https.port}{path}", "username": USER,
              "password": PASSWORD, "ca": pki.ca_pem, **fields}
    with pytest.raises(DeliveryFailed, match=reason):
        HttpsRecipient(**config).deliver(Notification(), TIMEOUT)  # type: ignore[arg-type]


def test_a_password_a_server_repeats_is_not_in_the_reason(http):
    recipient = HttpRecipient(name="VMS", url=f"http://{HOST}:{http.port}/echo",
                              username=USER, password=PASSWORD)
    with pytest.raises(DeliveryFailed) as refused:
        recipient.deliver(Notification(), TIMEOUT)
    assert str(refused.value) == f"the server answered 403 {USER}:********"


def test_http_and_tcp_take_no_files(http):
    with pytest.raises(DeliveryFailed, match="HTTP recipients take messages, not files"):
        HttpRecipient(name="VMS", url=f"http://{HOST}:{http.port}/").deliver(
            Notification(attachment=CLIP), TIMEOUT)


# FTP ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ftp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ftp")
    (root / "clips").mkdir()
    return root


@pytest.fixture(scope="module")
def ftp(ftp_root: Path) -> Iterator[Server]:
    with ftp_server(ftp_root) as server:
        yield server


def ftp_recipient(port: int, **fields: object) -> FtpRecipient:
    config = {"name": "Archive", "host": HOST, "port": port, "folder": "clips",
              "username": USER, "password": PASSWORD, **fields}
    return FtpRecipient(**config)  # type: ignore[arg-type]


def test_ftp_passive_upload_under_a_temporary_name(ftp, ftp_root):
    ftp.received.clear()
    ftp_recipient(ftp.port, temporary_name=True).deliver(Notification(attachment=CLIP), TIMEOUT)
    assert (ftp_root / "clips" / "doorbell.wav").read_bytes() == CLIP.data
    assert sorted(p.name for p in (ftp_root / "clips").iterdir()) == ["doorbell.wav"]
    assert {"PASV", "STOR", "RNFR", "RNTO"} <= set(ftp.received)
    assert "PORT" not in ftp.received


def test_ftp_active_upload_of_the_message_as_text(ftp, ftp_root):
    ftp.received.clear()
    ftp_recipient(ftp.port, passive=False).deliver(
        Notification("Speaker test: failed", "Didn't pass the test."), TIMEOUT)
    assert (ftp_root / "clips" / "speaker-test-failed.txt").read_text() == "Didn't pass the test."
    assert "PORT" in ftp.received and "PASV" not in ftp.received
    assert "RNFR" not in ftp.received


@pytest.mark.parametrize(("fields", "reason"), [
    ({"password": "wrong"}, "the FTP server refused the login: 530 "),
    ({"folder": "nowhere"}, "the folder 'nowhere' is not on the FTP server .*: 550 "),
], ids=["wrong password", "no such folder"])
def test_ftp_refusals_say_why(ftp, fields, reason):
    with pytest.raises(DeliveryFailed, match=reason):
        ftp_recipient(ftp.port, **fields).deliver(Notification("x", "y"), TIMEOUT)


# SFTP --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def host_keys() -> list[asyncssh.SSHKey]:
    """An RSA and an Ed25519 key: the client asks for RSA first, as the manual says."""
    return [asyncssh.generate_private_key("ssh-ed25519"),
            asyncssh.generate_private_key("ssh-rsa", key_size=2048)]


@pytest.fixture(scope="module")
def sftp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sftp")
    (root / "clips").mkdir()
    return root


@pytest.fixture(scope="module")
def sftp(loop: Loop, sftp_root: Path, host_keys: list[asyncssh.SSHKey]) -> Iterator[Server]:
    with sftp_server(loop, sftp_root, host_keys) as server:
        yield server


def rsa_fingerprint(host_keys: list[asyncssh.SSHKey], kind: str) -> str:
    return host_keys[1].get_fingerprint(kind)


def sftp_recipient(port: int, **fields: object) -> SftpRecipient:
    config = {"name": "Archive", "host": HOST, "port": port, "folder": "clips",
              "username": USER, "password": PASSWORD, **fields}
    return SftpRecipient(**config)  # type: ignore[arg-type]


def test_sftp_upload_to_the_host_pinned_by_sha256(sftp, sftp_root, host_keys):
    recipient = sftp_recipient(sftp.port, temporary_name=True,
                               sha256_fingerprint=rsa_fingerprint(host_keys, "sha256"))
    recipient.deliver(Notification(attachment=CLIP), TIMEOUT)
    assert (sftp_root / "clips" / "doorbell.wav").read_bytes() == CLIP.data
    assert sorted(p.name for p in (sftp_root / "clips").iterdir()) == ["doorbell.wav"]


def test_sftp_upload_to_the_host_pinned_by_md5(sftp, sftp_root, host_keys):
    md5 = rsa_fingerprint(host_keys, "md5")  # "MD5:aa:bb:...", as ssh-keygen -E md5 prints it
    recipient = sftp_recipient(sftp.port, folder="", md5_fingerprint=md5)
    assert recipient.md5_fingerprint == md5.removeprefix("MD5:").replace(":", "")
    recipient.deliver(Notification("Door", "open"), TIMEOUT)
    assert (sftp_root / "door.txt").read_text() == "open"


def test_sftp_refuses_a_host_whose_key_does_not_match(sftp, sftp_root, host_keys):
    # The server's Ed25519 key is its own too, but the client asks for RSA.
    ed25519 = host_keys[0].get_fingerprint("sha256").removeprefix("SHA256:")
    recipient = sftp_recipient(sftp.port, sha256_fingerprint=ed25519)
    with pytest.raises(DeliveryFailed) as refused:
        recipient.deliver(Notification("Door", "never"), TIMEOUT)
    assert str(refused.value) == (f"host key fingerprint does not match: got "
                                  f"{rsa_fingerprint(host_keys, 'sha256')}, "
                                  f"expected SHA256:{ed25519}")
    assert not (sftp_root / "clips" / "door.txt").exists()


@pytest.mark.parametrize(("fields", "reason"), [
    ({"password": "wrong"}, "the SFTP server refused the login"),
    ({"folder": "nowhere"}, "the folder 'nowhere' is not on the SFTP server"),
], ids=["wrong password", "no such folder"])
def test_sftp_refusals_say_why(sftp, host_keys, fields, reason):
    recipient = sftp_recipient(sftp.port, **fields,
                               sha256_fingerprint=rsa_fingerprint(host_keys, "sha256"))
    with pytest.raises(DeliveryFailed, match=reason):
        recipient.deliver(Notification("x", "y"), TIMEOUT)


# TCP ---------------------------------------------------------------------------------------

def test_tcp_sends_the_message_and_closes():
    with tcp_listener() as listener:
        TcpRecipient(name="Panel", host=HOST, port=listener.port).deliver(
            Notification("ignored", "ALARM zone=3"), TIMEOUT)
        listener.close()
        assert listener.received == [b"ALARM zone=3"]
        with pytest.raises(DeliveryFailed, match="take messages, not files"):
            TcpRecipient(name="Panel", host=HOST, port=listener.port).deliver(
                Notification(attachment=CLIP), TIMEOUT)


def test_a_recipient_that_is_down_refuses_the_connection():
    with tcp_listener(listening=False) as listener, pytest.raises(
            DeliveryFailed, match=f"^connection refused by {HOST}:{listener.port}$"):
        TcpRecipient(name="Panel", host=HOST, port=listener.port).deliver(
            Notification(message="x"), TIMEOUT)


# Configurations ----------------------------------------------------------------------------

FINGERPRINT = "nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"
EXAMPLES: dict[str, dict[str, object]] = {
    "email": {"type": "email", "name": "Mail", "to": "a@example.com", "sender": "s@example.com",
              "host": "smtp.example.com", "username": "u", "password": "p"},
    "http": {"type": "http", "name": "Hook", "url": "http://192.168.254.10/cgi-bin/notify.cgi"},
    "https": {"type": "https", "name": "Hook", "url": "https://vms.example.com/notify",
              "username": "u", "password": "p", "validate_certificate": False},
    "ftp": {"type": "ftp", "name": "Archive", "host": "ftp.example.com", "folder": "clips"},
    "sftp": {"type": "sftp", "name": "Archive", "host": "fd00::5", "username": "u",
             "password": "p", "sha256_fingerprint": FINGERPRINT},
    "tcp": {"type": "tcp", "name": "Panel", "host": "panel.local", "port": 4000},
}


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_configurations_go_to_json_and_back(kind):
    recipient = from_dict(EXAMPLES[kind])
    assert type(recipient) is TYPES[kind]
    stored = json.loads(json.dumps(recipient.to_dict()))
    assert stored["type"] == kind and from_dict(stored) == recipient
    if "password" in stored:
        assert "password" not in repr(recipient)


def test_defaults_are_the_manuals():
    assert from_dict(EXAMPLES["email"]).port == 587
    assert from_dict(EXAMPLES["ftp"]).port == 21
    assert from_dict(EXAMPLES["sftp"]).port == 22
    mail = from_dict(EXAMPLES["email"])
    assert isinstance(mail, EmailRecipient) and mail.encryption == "tls"
    assert mail.validate_certificate


def with_(kind: str, **changes: object) -> dict[str, object]:
    return {**EXAMPLES[kind], **changes}


def without(kind: str, field: str) -> dict[str, object]:
    return {k: v for k, v in EXAMPLES[kind].items() if k != field}


BAD = [
    ({"name": "x"}, "type", "must be one of email, http, https, ftp, sftp, tcp, not None"),
    (with_("tcp", type="smb"), "type", "must be one of"),
    (with_("tcp", colour="red"), "colour", "not a field of tcp recipients"),
    (with_("tcp", name=" "), "name", "required"),
    (with_("tcp", name="a\nb"), "name", "must be one line"),
    (with_("tcp", name="n" * 65), "name", "at most 64 characters"),
    (without("tcp", "port"), "port", "required"),
    (with_("tcp", port=0), "port", "must be from 1 to 65535, not 0"),
    (with_("tcp", port=70000), "port", "must be from 1 to 65535, not 70000"),
    (with_("tcp", port="4000"), "port", "must be a whole number"),
    (with_("tcp", port=True), "port", "must be a whole number"),
    (with_("tcp", host=""), "host", "required"),
    (with_("tcp", host="http://panel.local"), "host", "not a URL or host:port"),
    (with_("tcp", host="panel.local:4000"), "host", "not a URL or host:port"),
    (with_("tcp", host="panel local"), "host", "is not a host name or IP address"),
    (with_("tcp", host="-panel.local"), "host", "is not a host name or IP address"),
    (with_("tcp", host="192.168.1.300"), "host", "is not a host name or IP address"),
    (with_("tcp", host="a" * 64 + ".local"), "host", "is not a host name or IP address"),
    (without("email", "to"), "to", "required"),
    (with_("email", to=" , "), "to", "required: one or more email addresses"),
    (with_("email", to="a@example.com; b@example.com"), "to", "is not an email address"),
    (with_("email", to="a@example.com, bob"), "to", "'bob' is not an email address"),
    (with_("email", to="a@example.com, bob@"), "to", "'bob@' is not an email address"),
    (with_("email", sender="Speaker <s@example.com>"), "sender", "is not an email address"),
    (with_("email", encryption="starttls"), "encryption", "must be one of tls, ssl, none"),
    (with_("email", validate_certificate="yes"), "validate_certificate", "true or false"),
    (with_("email", ca="not a certificate"), "ca", "must be certificates in PEM form"),
    (with_("email", password="p\r\nRCPT TO:<x@y>"), "password", "must be one line"),
    (without("http", "url"), "url", "required"),
    (with_("http", url=""), "url", "required, for example http://"),
    (with_("http", url="ftp://192.168.254.10/x"), "url", "must begin with http://"),
    (with_("https", url="http://vms.example.com/"), "url", "must begin with https://"),
    (with_("http", url="http://u:p@192.168.254.10/"), "url", "in their own fields"),
    (with_("http", url="http://192.168.254.10:99999/"), "url", "is not a URL"),
    (with_("http", url="http://192.168.254.10/a b"), "url", "is not a URL"),
    (with_("http", url="http:///notify"), "url", "required: the server's IP address"),
    (with_("http", method="PUT"), "method", "must be one of GET, POST, not 'PUT'"),
    (with_("ftp", folder="clips\r\nDELE x"), "folder", "must be one line"),
    (with_("ftp", passive="true"), "passive", "must be true or false"),
    (without("sftp", "username"), "username", "required"),
    (with_("sftp", username=""), "username", "required"),
    (without("sftp", "sha256_fingerprint"), "sha256_fingerprint", "required (or the MD5"),
    (with_("sftp", sha256_fingerprint=FINGERPRINT[:-1]), "sha256_fingerprint", "43 characters"),
    (with_("sftp", sha256_fingerprint="ab:cd"), "sha256_fingerprint", "43 characters"),
    (with_("sftp", md5_fingerprint="12:34"), "md5_fingerprint", "32 hexadecimal digits"),
    (with_("sftp", md5_fingerprint="g" * 32), "md5_fingerprint", "32 hexadecimal digits"),
]


@pytest.mark.parametrize(("raw", "field", "problem"), BAD,
                         ids=[f"{raw.get('type')} {field}: {problem}" for raw, field, problem
                              in BAD])
def test_bad_configurations_are_refused_naming_the_field(raw, field, problem):
    with pytest.raises(InvalidRecipient) as refused:
        from_dict(raw)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")
    assert problem in str(refused.value)


@pytest.mark.parametrize("sha256", [f" SHA256:{FINGERPRINT}\n", f"{FINGERPRINT}="])
def test_fingerprints_are_taken_as_ssh_keygen_prints_them(sha256):
    recipient = from_dict(with_("sftp", sha256_fingerprint=sha256,
                                md5_fingerprint="MD5:" + ":".join(["AB"] * 16)))
    assert isinstance(recipient, SftpRecipient)
    assert recipient.sha256_fingerprint == FINGERPRINT
    assert recipient.md5_fingerprint == "ab" * 16


def test_a_type_reads_only_its_own_dicts():
    with pytest.raises(InvalidRecipient, match=r"^type: 'ftp' is not tcp$"):
        TcpRecipient.from_dict(with_("tcp", type="ftp"))
