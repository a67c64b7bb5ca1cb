"""The discovery service (in herald-system: a process of its own would cost
the device about 25 MiB for three small responders). It follows the
settings (contract.SETTINGS) as they change: each protocol starts or stops
at once, and the names it tells are read afresh for every answer.

HERALD_DISCOVERY_INTERFACE: the address of the interface to listen on
(default all); HERALD_UPNP_PORT: the port of the UPnP description
(49152 on a device; on a development host one the kernel picks, as several
stacks may run there); HERALD_AVAHI_SERVICES: avahi's services folder (on a device
/run/herald-avahi, bound to /etc/avahi/services, on a development host <data>/avahi/services);
HERALD_HTTP_PORT: the web admin's port that discovery tells."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from pathlib import Path
from typing import Any

from herald.bus import PING, AsyncBus
from herald.daemons import port
from herald.discovery import avahi, contract, ssdp, wsdiscovery
from herald.discovery.device import Advertised
from herald.discovery.multicast import address_towards, group_socket
from herald.environment import Environment
from herald.params import ParamStore
from herald.params import contract as params_contract
from herald.params.follow import apply_on_changes
from herald.params.groups.brand import PRODUCT_NUMBER
from herald.system.identity import this_device, this_firmware

log = logging.getLogger(__name__)

DEVICE_AVAHI_SERVICES = Path("/run/herald-avahi")  # avahi's services folder (the image)
DESCRIPTION_PORT = 49152
RETRY_SECONDS = 10.0  # a protocol that could not start (no network yet at boot) tries again


class DiscoveryService:
    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore) -> None:
        self.bus, self.params = bus, params
        self.interface = os.environ.get("HERALD_DISCOVERY_INTERFACE", "0.0.0.0")
        self.description_port = port(
            "HERALD_UPNP_PORT", DESCRIPTION_PORT if environment.is_device else 0)
        self.web_port = port("HERALD_HTTP_PORT", 80 if environment.is_device else 8000)
        self.avahi_folder = Path(os.environ.get("HERALD_AVAHI_SERVICES", "") or (
            DEVICE_AVAHI_SERVICES if environment.is_device
            else environment.data_dir / "avahi" / "services"))
        self.ssdp: tuple[ssdp.SsdpResponder, asyncio.Server] | None = None
        self.wsd: wsdiscovery.WsDiscoveryResponder | None = None
        self.sequence = itertools.count(1)
        self.tasks: list[asyncio.Task] = []
        self.problems: tuple[str, ...] = ()  # what keeps a protocol off that should be on

    @property
    def handlers(self) -> dict[str, Any]:
        return {PING: self.ping}

    async def ping(self) -> dict[str, Any]:
        return {"ok": True}

    def device(self) -> Advertised:
        return Advertised(this_device().serial, PRODUCT_NUMBER, this_firmware().version,
                          self.params.get(contract.UPNP_NAME), self.web_port)

    async def start(self) -> None:
        changes = await self.bus.subscribe(params_contract.CHANGED)
        await self.apply()
        self.tasks = [asyncio.create_task(apply_on_changes(changes, contract.SETTINGS.__contains__,
                                                           self.apply), name="discovery settings"),
                      asyncio.create_task(self._tend(), name="discovery upkeep")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self._ssdp(False)
        await self._wsd(False)
        # The avahi file stays: Bonjour goes on telling the device while it restarts.

    async def apply(self) -> None:
        """Each protocol as its setting says; one that cannot start is said."""
        snapshot = self.params.snapshot()
        on = {name: snapshot.get(name) == "yes" for name in
              (contract.BONJOUR_ENABLED, contract.UPNP_ENABLED, contract.WSD_ENABLED)}
        problems: list[str] = []
        bonjour = on[contract.BONJOUR_ENABLED]
        try:
            avahi.publish(self.avahi_folder, avahi.service_file(
                self.device(), snapshot.get(contract.BONJOUR_NAME)) if bonjour else None)
        except OSError as exc:
            problems.append(f"Bonjour: the avahi service file cannot be written: {exc}")
            bonjour = False
        for name, switch in (("UPnP", self._ssdp(on[contract.UPNP_ENABLED])),
                             ("WS-Discovery", self._wsd(on[contract.WSD_ENABLED]))):
            try:
                await switch
            except OSError as exc:
                problems.append(f"{name} cannot listen: {exc.strerror or exc}")
        if tuple(problems) != self.problems:  # said once, not at every retry
            for problem in problems:
                log.error("discovery: %s", problem)
        self.problems = tuple(problems)
        await self.bus.set_state(contract.STATUS, contract.DiscoveryStatus(
            bonjour=bonjour, upnp=self.ssdp is not None, ws_discovery=self.wsd is not None,
            problems=self.problems).to_dict())

    async def _ssdp(self, on: bool) -> None:
        """On: listen, serve the description, then ssdp:alive. Off: ssdp:byebye, then close."""
        if on and self.ssdp is None:
            server = await ssdp.serve_description(self.device, self.description_port,
                                                  self.interface)
            responder = ssdp.SsdpResponder(self.device, server.sockets[0].getsockname()[1])
            try:
                await asyncio.get_running_loop().create_datagram_endpoint(
                    lambda: responder, sock=group_socket(ssdp.GROUP, ssdp.PORT, self.interface))
            except OSError:
                server.close()
                raise
            self.ssdp = (responder, server)
            responder.advertise(ssdp.ALIVE, self._own_address())
            log.info("UPnP: answering SSDP searches")
        elif not on and self.ssdp is not None:
            responder, server = self.ssdp
            responder.advertise(ssdp.BYEBYE, self._own_address())
            assert responder.transport is not None
            responder.transport.close()
            server.close()
            await server.wait_closed()
            self.ssdp = None
            log.info("UPnP: off")

    async def _tend(self) -> None:
        """Try again what could not start; ssdp:alive again before the
        advertisement's max-age runs out."""
        since_alive = 0.0
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            since_alive += RETRY_SECONDS
            if self.problems:
                await self.apply()
            if self.ssdp is not None and since_alive >= ssdp.CACHE_SECONDS / 2:
                self.ssdp[0].advertise(ssdp.ALIVE, self._own_address())
                since_alive = 0.0

    async def _wsd(self, on: bool) -> None:
        """On: listen, then Hello. Off: Bye, then the socket closes."""
        if on and self.wsd is None:
            responder = wsdiscovery.WsDiscoveryResponder(self.device, next(self.sequence))
            await asyncio.get_running_loop().create_datagram_endpoint(
                lambda: responder, sock=group_socket(wsdiscovery.GROUP, wsdiscovery.PORT,
                                                     self.interface))
            self.wsd = responder
            responder.announce("Hello", self._own_address())
            log.info("WS-Discovery: answering probes")
        elif not on and self.wsd is not None:
            self.wsd.announce("Bye", "")
            assert self.wsd.transport is not None
            self.wsd.transport.close()
            self.wsd = None
            log.info("WS-Discovery: off")

    def _own_address(self) -> str:
        """The address Hello tells: the interface's, or the route's to the group."""
        if self.interface != "0.0.0.0":
            return self.interface
        with contextlib.suppress(OSError):
            return address_towards(wsdiscovery.GROUP)
        return "0.0.0.0"
