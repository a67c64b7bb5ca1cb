"""The axis library (as Home Assistant uses it) connected to a test device."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from axis.device import AxisDevice
from axis.models.configuration import Configuration


async def connect(url: str, account, protocol: str = "http") -> AxisDevice:
    parts = urlsplit(url)
    session = httpx.AsyncClient(verify=False)
    device = AxisDevice(Configuration(session, parts.hostname, port=parts.port,
                                      username=account.name, password=account.password,
                                      web_proto=protocol))
    await device.vapix.initialize()
    await device.vapix.initialize_users()
    await device.vapix.load_user_groups()
    return device
