"""SIP addresses as a request names them (a test call, a rule's "Make a SIP
call"), checked once here for the service and the rules alike."""

from __future__ import annotations

import re
from typing import Any

from herald.sip.contract import MAX_URI

SIP_URI = re.compile(r"sips?:[^\s<>\"]+", re.ASCII)


def uri_problem(uri: Any, field: str = "uri") -> str:
    """Why `uri` is not an address that can be called ("" when it is), naming `field`."""
    if not isinstance(uri, str) or not 0 < len(uri) <= MAX_URI:
        return f"{field}: a SIP address of 1 to {MAX_URI} characters"
    if not SIP_URI.fullmatch(uri) or not uri.split(":", 1)[1].strip("@"):
        return f"{field}: {uri!r} is not a SIP address (sip:user@host or sips:user@host)"
    return ""
