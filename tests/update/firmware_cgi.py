"""firmwaremanagement.cgi as VAPIX clients call it: its path, and an upgrade
request as the multipart body VAPIX documents (an unnamed JSON part, then
the firmware file)."""

from __future__ import annotations

import json

CGI = "/axis-cgi/firmwaremanagement.cgi"


def upgrade_parts(request: dict, boundary: str) -> tuple[bytes, bytes, str]:
    """What goes before the firmware file, what after it, and the content type."""
    head = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(request)}\r\n"
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    return head, f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def multipart(request: dict, firmware: bytes, boundary: str = "Herald") -> tuple[bytes, str]:
    """A whole upgrade request body, and its content type."""
    head, tail, content_type = upgrade_parts(request, boundary)
    return head + firmware + tail, content_type
