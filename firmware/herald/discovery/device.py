"""The device as discovery tells it: one value object both responders and the
avahi service file read, so that they all name the device alike."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Advertised:
    serial: str  # 12 hex digits, the MAC of the first Ethernet port
    model: str  # the product number, e.g. C1410
    firmware: str
    upnp_name: str
    web_port: int = 80

    @property
    def uuid(self) -> str:
        """Stable across restarts and upgrades: made from the serial."""
        return str(uuid.UUID(f"a8e1e7a0-3f4d-4c1b-8d2e-{self.serial.lower()}"))

    def web_url(self, address: str) -> str:
        port = "" if self.web_port == 80 else f":{self.web_port}"
        return f"http://{address}{port}/"
