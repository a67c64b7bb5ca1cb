"""Bonjour through avahi-daemon: the service file it reads from its services
folder (it reloads on a change), telling the device's web page as
_http._tcp and _axis-video._tcp with the TXT record macaddress that AXIS
tools and Home Assistant read. Turning Bonjour off removes the file."""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

from herald.discovery.device import Advertised

SERVICE_TYPES = ("_http._tcp", "_axis-video._tcp")
FILE_NAME = "herald.service"
MAX_NAME = 63  # bytes: one DNS label, an mDNS instance name's limit


def service_file(device: Advertised, name: str) -> str:
    label = name.encode()[:MAX_NAME].decode(errors="ignore")
    services = "".join(
        f"<service><type>{kind}</type><port>{device.web_port}</port>"
        f"<txt-record>macaddress={device.serial}</txt-record></service>"
        for kind in SERVICE_TYPES)
    return ('<?xml version="1.0" standalone="no"?>\n'
            '<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n'
            f"<service-group><name>{escape(label)}</name>{services}</service-group>\n")


def publish(folder: Path, content: str | None) -> None:
    """Write the file (atomically: avahi never reads half of it), or remove it."""
    path = folder / FILE_NAME
    if content is None:
        path.unlink(missing_ok=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == content:
        return
    tmp = path.with_suffix(".new")
    tmp.write_text(content)
    os.replace(tmp, path)
