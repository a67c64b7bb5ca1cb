"""The herald-sip process: the SIP service on the bus (service.py).

HERALD_SIP_PLAYER and HERALD_SIP_SOURCE name baresip's audio devices for a
call ("<module>,<device>"; on the device the default ALSA device, until
calls go through herald-core's mixer). On a development host the default
is baresip's audio bridge, which sends the caller's own voice back: a call
is heard end to end without a sound card. HERALD_SIP_INTERFACE names the
network interface whose address calls offer for audio (default: the one of
the default route)."""

from __future__ import annotations

import os

from herald.bus import AsyncBus
from herald.daemons import run_daemon, serve_services
from herald.environment import Environment
from herald.params import ParamStore, default_tree
from herald.sip import contract
from herald.sip.config import Media
from herald.sip.service import SipService

DEVICE_AUDIO, HOST_AUDIO = "alsa,default", "aubridge,herald"


def media(environment: Environment) -> Media:
    audio = DEVICE_AUDIO if environment.is_device else HOST_AUDIO
    return Media(player=os.environ.get("HERALD_SIP_PLAYER", audio),
                 source=os.environ.get("HERALD_SIP_SOURCE", audio),
                 interface=os.environ.get("HERALD_SIP_INTERFACE", ""))


async def run(environment: Environment) -> None:
    bus = AsyncBus(environment.redis_url, source=contract.SERVICE)
    params = ParamStore(environment.database, default_tree())
    service = SipService(bus, environment, params, media(environment))
    await serve_services(bus, {contract.SERVICE: service})


def main() -> None:
    run_daemon("herald-sip", run)
