"""A VAPIX client's side of HTTP Digest, written out by hand so that tests
can send exactly the header they mean (a wrong password, a replayed nc, no qop)."""

from __future__ import annotations

import hashlib
import re

import httpx

PARAMS = "/axis-cgi/param.cgi?action=list&group=Brand"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def challenge_fields(reply: httpx.Response) -> dict[str, str]:
    assert reply.status_code == 401
    headers = reply.headers.get_list("www-authenticate")
    assert len(headers) == 1, "exactly one challenge, as real devices send"
    return parse_challenge(headers[0])


def parse_challenge(header: str) -> dict[str, str]:
    """The fields of a WWW-Authenticate: Digest header."""
    assert header.startswith("Digest ")
    return dict(re.findall(r'(\w+)="?([^",]*)"?', header))


def digest_header(account, challenge, uri, method="GET", qop=True, nc="00000001",
                  cnonce="0a4f113b", password=None) -> str:
    ha1 = md5(f"{account.name}:{challenge['realm']}:{password or account.password}")
    ha2 = md5(f"{method}:{uri}")
    nonce = challenge["nonce"]
    if qop:
        response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        extra = f', qop=auth, nc={nc}, cnonce="{cnonce}"'
    else:
        response = md5(f"{ha1}:{nonce}:{ha2}")
        extra = ""
    return (f'Digest username="{account.name}", realm="{challenge["realm"]}", nonce="{nonce}", '
            f'uri="{uri}", response="{response}", algorithm=MD5{extra}')
